from . import urls_bureau, urls_office, urls_pool

app_name = "enterprises"
urlpatterns = [*urls_bureau.urlpatterns, *urls_office.urlpatterns, *urls_pool.urlpatterns]
