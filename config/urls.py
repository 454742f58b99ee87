from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "MASH administration"
admin.site.site_title = "MASH administration"
admin.site.index_title = "Partnership configuration and reference data"

urlpatterns = [
    path("", include("mash.workqueue.urls")),
    path("accounts/", include("mash.accounts.urls")),
    path("contacts/", include("mash.intake.urls")),
    path("contacts/", include("mash.triage.urls")),
    path("contacts/", include("mash.decisions.urls")),
    path("people/", include("mash.people.urls")),
    path("", include("mash.sharing.urls")),
    path("", include("mash.strategy.urls")),
    path("", include("mash.disputes.urls")),
    path("", include("mash.oversight.urls")),
    path("matching/", include("mash.matching.urls")),
    path("audit/", include("mash.audit.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "mash.core.views.permission_denied"
handler404 = "mash.core.views.page_not_found"
handler500 = "mash.core.views.server_error"
