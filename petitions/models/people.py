"""People a case concerns. Their personal data lives here, apart from the case text."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Right
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from petitions.models.choices import PartyRole
from portal import clock
from portal.privacy import (
    InvalidNumber,
    canonical_id_number,
    canonical_phone,
    mask_id_number,
    mask_name,
    mask_phone,
)
from portal.validators import validate_person_name


class PersonQuerySet(models.QuerySet):
    def same_resident_as(self, person: Person) -> PersonQuerySet:
        """Records that stand for the same resident: the same ID number, or the same name and
        phone without another ID number. Each case keeps its own record (what was typed
        there); this finds the others."""
        match = Q(pk=person.pk)
        if person.id_number:
            match |= Q(id_number=person.id_number)
        if person.phone:
            # phone_last4 is indexed: the same name and phone is found without a scan.
            same = Q(phone_last4=person.phone[-4:], phone=person.phone, name=person.name)
            if person.id_number:
                same &= Q(id_number="") | Q(id_number=person.id_number)
            match |= same
        return self.filter(match)


class Person(models.Model):
    """A resident as recorded for one case: their name, phone, ID number and address as typed
    there (the same resident's other cases are found with ``same_resident_as``)."""

    name = models.CharField(_("姓名"), max_length=40, validators=[validate_person_name])
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # Only the last four digits are searchable ("5678", "139****5678") without unmasking.
    phone_last4 = models.GeneratedField(
        expression=Right("phone", 4), output_field=models.CharField(max_length=4), db_persist=True
    )
    id_number = models.CharField(_("身份证号码"), max_length=18, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    # The clock's moment, not auto_now_add: the demo records residents on the day they first
    # asked, under clock.frozen (auto_now_add reads timezone.now, past any frozen moment).
    created_at = models.DateTimeField(_("登记时间"), default=clock.now, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model", "当事人")
        verbose_name_plural = pgettext_lazy("model plural", "当事人")
        ordering = ["-pk"]
        constraints = [
            # Stored canonical: ASCII digits only, never a half-valid number.
            models.CheckConstraint(
                condition=Q(phone="")
                | Q(phone__regex=r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-[0-9]{7,8})$"),
                name="person_phone_canonical",
            ),
            models.CheckConstraint(
                condition=Q(id_number="") | Q(id_number__regex=r"^[0-9]{17}[0-9X]$"),
                name="person_id_number_canonical",
            ),
        ]
        indexes = [
            models.Index(fields=["id_number"], name="person_id_number_idx"),
            models.Index(fields=["phone_last4"], name="person_phone_last4_idx"),
        ]

    def __str__(self) -> str:
        return self.masked_name

    def clean(self) -> None:
        errors = {}
        try:
            self.phone = canonical_phone(self.phone) if self.phone else ""
        except InvalidNumber as exc:
            errors["phone"] = str(exc)
        try:
            self.id_number = canonical_id_number(self.id_number) if self.id_number else ""
        except InvalidNumber as exc:
            errors["id_number"] = str(exc)
        if errors:
            raise ValidationError(errors)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class CaseParty(models.Model):
    """A person's part in one case: the petitioner, the other side, or another party."""

    case = models.ForeignKey(
        "petitions.Case", on_delete=models.CASCADE, related_name="parties", verbose_name=_("诉求")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="case_parts", verbose_name=_("当事人")
    )
    role = models.CharField(_("身份"), max_length=12, choices=PartyRole.choices)

    class Meta:
        verbose_name = pgettext_lazy("model", "诉求当事人")
        verbose_name_plural = pgettext_lazy("model plural", "诉求当事人")
        ordering = ["case_id", "role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=PartyRole.values), name="caseparty_role_valid"
            ),
            models.UniqueConstraint(fields=["case", "person", "role"], name="caseparty_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.person.masked_name}"


class CaseExclusion(models.Model):
    """A staff account that must never see a case: the person it names, or someone recused."""

    case = models.ForeignKey(
        "petitions.Case",
        on_delete=models.CASCADE,
        related_name="exclusions",
        verbose_name=_("诉求"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="case_exclusions",
        verbose_name=_("回避人员"),
    )
    reason = models.CharField(_("原因"), max_length=100, default="被反映人，依规回避")

    class Meta:
        verbose_name = pgettext_lazy("model", "回避")
        verbose_name_plural = pgettext_lazy("model plural", "回避")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="caseexclusion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.user_id}"
