"""Reply templates (答复模板) the demo office keeps: a general one and one per common category.

Staff pick one on the 办结 form; the text is a starting point they complete (the square-bracket
parts), never sent as it is.
"""

from __future__ import annotations

from petitions.models import Category, ReplyTemplate

# (title, category name or None for every category, text)
TEMPLATES = [
    (
        "通用办结答复",
        None,
        "您好！您反映的问题已办理完毕：【办理结果】。感谢您对社区工作的支持，"
        "如仍有问题，可凭查询码在网站“进度查询”中评价，或到社区党群服务中心反映。",
    ),
    (
        "环境卫生已清理",
        "环境卫生",
        "您好！您反映的【地点】卫生问题，社区已协调物业和保洁人员于【日期】清理完毕，"
        "并将该处列入网格员日常巡查。感谢您的监督。",
    ),
    (
        "市政设施已报修",
        "市政设施",
        "您好！您反映的【设施】问题，已报市政养护单位，于【日期】维修完成。"
        "如再次出现损坏，欢迎继续反映。",
    ),
    (
        "物业问题已协调",
        "物业纠纷",
        "您好！针对您反映的物业服务问题，社区已约谈物业公司，双方商定：【处理措施】。"
        "社区将跟踪落实情况，并在一个月内回访。",
    ),
    (
        "消防通道已清理",
        "消防通道/停车",
        "您好！您反映的消防通道占用问题，社区已会同物业于【日期】清理，"
        "并在该处设置禁停标识。消防通道关系全楼安全，感谢您及时反映。",
    ),
    (
        "政策咨询答复",
        "政策咨询",
        "您好！关于您咨询的【政策事项】，依据【政策文件】，答复如下：【答复内容】。"
        "办理时请携带身份证和相关材料到街道便民服务中心。",
    ),
]


def ensure_reply_templates() -> int:
    """Add the templates that are missing (by title); returns how many were added."""
    categories = {c.name: c for c in Category.objects.all()}
    added = 0
    for title, category, text in TEMPLATES:
        _template, created = ReplyTemplate.objects.get_or_create(
            title=title, defaults={"category": categories.get(category), "text": text}
        )
        added += created
    return added
