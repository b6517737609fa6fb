from waishi.users.views import UserViews

app_name = "users"

urlpatterns = [*UserViews.urls()]
