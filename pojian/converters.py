"""URL converters that accept only well-formed values: anything else is no page (404) before a view runs."""

from django.urls import register_converter


class RegionCodeConverter:
    """A six-digit administrative division code (GB/T 2260), e.g. 220100."""

    regex = "[0-9]{6}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


class YearConverter:
    """A four-digit programme or fiscal year."""

    regex = "[12][0-9]{3}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(RegionCodeConverter, "region")
register_converter(YearConverter, "year")
