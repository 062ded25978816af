"""The residents' side of cases: 我要反映, the receipt, 进度查询 and rating, 办理公开.

No accounts: a resident proves a case is theirs with its tracking code and the last four digits
of their mobile number. Every state change goes through ``petitions.services``.
"""
