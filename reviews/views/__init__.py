"""The expert review's pages: expert.py (the reviewer dashboard), office.py (the office), public.py (the 公示)."""
