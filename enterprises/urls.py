from . import urls_bureau, urls_office

app_name = "enterprises"
urlpatterns = [*urls_bureau.urlpatterns, *urls_office.urlpatterns]
