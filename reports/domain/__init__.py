"""Reports and statistics (跟踪问效), as plain functions.

    sources.py    adapters onto the other apps' models (looked up lazily; None = not available yet)
    figures.py    report_data(year=, region=): everything the annual report shows; the funnel
    charts.py     bar / line / pie charts as SVG strings
    render.py     the report's PDF (chunks, continuous page numbers) and workbook
    annual.py     request_report, run_report (job work), rerun_report, write_report_files (command)
    dashboard.py  the office's dashboard: sections with table, chart and sheet
    public.py     release_progress (snapshot) and what the public page shows
    schedules.py  report schedules as django-celery-beat periodic tasks
"""
