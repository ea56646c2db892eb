"""python manage.py import_tax_data FILE --year YYYY — the tax-data import, all or nothing."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import override

from pojian.domain.jobs import JobFailed

from ...domain.import_tax import import_tax


class Command(BaseCommand):
    help = "Import the tax departments' figures for one year from an .xlsx file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx file (columns 统一社会信用代码, 年度, 销售收入(元), 研发费用(元), 资产总额(元), 从业人数)")
        parser.add_argument("--year", type=int, required=True, help="the year the figures are for")

    def handle(self, *args, file, year, **options):
        with override(settings.LANGUAGE_CODE):
            try:
                with open(file, "rb") as f:
                    result = import_tax(f, year=year)
            except FileNotFoundError:
                raise CommandError(_("No such file: %(file)s") % {"file": file}) from None
            except JobFailed as e:
                for error in e.errors:
                    self.stderr.write(
                        _("row %(row)s, %(column)s: %(message)s") % {
                            "row": error.get("row", ""), "column": error.get("column", ""), "message": error["message"],
                        }
                    )
                raise CommandError(e.message) from None
            self.stdout.write(self.style.SUCCESS(result.message()))
