from django.urls import path

from waishi.core import views

app_name = "core"

urlpatterns = [
    path("audit/", views.audit_log, name="auditlog_list"),
    path("changes/", views.change_log, name="changelog_list"),
    path("settings/", views.office_settings, name="settings"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("choices/<str:source>/<str:field>/", views.record_choices, name="record_choices"),
    *views.WorkdayOverrideViews.urls(),
]
