from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from pojian.domain.errors import ValidationError


class Command(BaseCommand):
    help = "Write a year's annual report (.pdf and .xlsx) for the province or one region into a folder."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="programme year, e.g. 2026")
        parser.add_argument("--region", default="", help="region division code, e.g. 220100 (default: the whole province)")
        parser.add_argument("--out", required=True, help="folder to write the two files into (created if missing)")

    def handle(self, *args, year, region, out, **options):
        from reports.domain.annual import region_for, write_report_files
        from reports.domain.figures import cycle_for

        try:
            cycle_for(year)
            scope = region_for(region.strip())
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None
        folder = Path(out)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / ".annual-report-write-test"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as e:
            raise CommandError(_("Cannot write into %(dir)s: %(error)s") % {"dir": folder, "error": e.strerror or e}) from None
        try:
            pdf, xlsx = write_report_files(year=year, region=scope, out_dir=folder)
        except OSError as e:
            raise CommandError(_("Cannot write the report into %(dir)s: %(error)s") % {"dir": folder, "error": e.strerror or e}) from None
        self.stdout.write(str(pdf))
        self.stdout.write(str(xlsx))
