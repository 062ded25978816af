"""What comes up at on-site office sessions, by season, and why a session was called off."""

from __future__ import annotations

# (title suffix, what was dealt with, months when it comes up; empty = any)
ONSITE_TOPICS = [
    ("", "收集楼道照明、绿化修剪等诉求{k}件，登记后转物业限期处理。", ()),
    ("", "解答医保缴费、养老金认证等政策咨询{k}件。", ()),
    ("", "对居民反映的{k}件物业服务问题，当场约谈物业项目经理。", ()),
    (
        "供暖报修集中受理",
        "集中受理暖气不热报修{k}件，已当场联系热力公司上门排查。",
        (10, 11, 12, 1),
    ),
    ("防汛隐患排查", "收集雨水管道堵塞、地下室渗水等隐患线索{k}条，逐条交办。", (6, 7, 8)),
    ("加装电梯政策答疑", "解答加装电梯补贴政策和办理流程，登记有意愿的楼栋{k}个。", ()),
    ("老年助餐登记", "为{k}位老人登记社区助餐，解答助餐补贴标准。", ()),
    ("", "{k}件诉求当场解决，其余登记为诉求转相关部门办理。", ()),
]

ONSITE_CANCEL_REASONS = {
    "spring": "大风黄色预警，现场办公暂停一次",
    "summer": "与防汛值班冲突，本周暂停",
    "winter": "寒潮暴雪，现场办公改为电话接访",
    "any": "街道召开安全生产专题会议，本周暂停",
}
