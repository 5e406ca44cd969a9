"""teams: the Tổ CNSCĐ registry: teams, members, activities and the team figures.

Owns Team, Member, Activity; writes team figures through `reports.services`.
May import core, divisions, targets and reports; never attainment or dashboards.
"""
