"""A paginator that counts with the page: one query returns the page's rows and, on each, the number of
all the rows (COUNT(*) OVER ()), instead of a second query that filters everything again."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Window


class WindowCountPaginator(Paginator):
    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list.annotate(_full_count=Window(Count("*")))[bottom:bottom + self.per_page])
        if rows:
            self.__dict__["count"] = rows[0]._full_count  # the cached_property, without a query
        elif number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        else:
            self.__dict__["count"] = 0
        return self._get_page(rows, number, self)
