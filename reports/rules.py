"""Who may see the statistics and the reports.

Office: everything. A city bureau: only its own region's annual reports (list and download),
no dashboard, no province report. Experts, partners and anonymous visitors: nothing here
(the public progress page needs no permission).
"""

import rules

from pojian.rules import is_bureau, is_office


@rules.predicate
def is_own_region_report(user, report):
    """The report is a region's report and the user is that region's bureau (a province report is nobody's region)."""
    return report is not None and is_bureau(user) and report.region_id is not None and report.region_id == user.region_id


rules.add_perm("reports.view_public_progress", rules.always_allow)
rules.add_perm("reports.view_dashboard", is_office)
rules.add_perm("reports.request_report", is_office)
rules.add_perm("reports.manage_schedules", is_office)
rules.add_perm("reports.release_progress", is_office)
rules.add_perm("reports.list_reports", is_office | is_bureau)
rules.add_perm("reports.view_report", is_office | is_own_region_report)


# --- statistics returns (统计报表) and the county pages ------------------------------------------
from pojian.rules import is_city_of_county, is_county, is_own_county  # noqa: E402


@rules.predicate
def files_return(user, ret):
    """The user's bureau is among those who must file this return (city bureaus; county ones if asked)."""
    if ret is None:
        return False
    if is_bureau(user):
        return not user.region.is_county
    return bool(is_county(user) and ret.include_counties)


rules.add_perm("reports.manage_returns", is_office)
rules.add_perm("reports.list_returns", is_office | is_bureau | is_county)
rules.add_perm("reports.file_return", files_return)
rules.add_perm("reports.view_county_dashboard", is_office | is_own_county | is_city_of_county)
rules.add_perm("reports.view_own_county", is_county)


# --- a city bureau's dashboard (reports:bureau_dashboard): the object is the region shown --------------
from pojian.rules import is_own_region  # noqa: E402

rules.add_perm("reports.view_bureau_dashboard", is_office | is_own_region)
