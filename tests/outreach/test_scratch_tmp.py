import pytest
from django.urls import reverse
from portal.roles import Role

@pytest.mark.django_db
def test_render(client, place, staff):
    client.force_login(staff[Role.GRID_WORKER])
    r = client.get(reverse("admin:outreach_onsitesession_add"))
    assert r.status_code == 200
    open("/tmp/logging_scratch/add.html", "w").write(r.content.decode())
    print(r.context["adminform"].form.initial)
