from django.contrib.auth import views as auth_views
from django.urls import path

from gigunion.office import applications, members, registry, views, worklist

app_name = "office"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("regions/<str:code>/", views.region_detail, name="region_detail"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/<int:organization_id>/", views.organization_detail, name="organization_detail"),
    path(
        "organizations/<int:organization_id>/join-approval/",
        views.organization_join_approval,
        name="organization_join_approval",
    ),
    path("enterprises/", registry.enterprise_list, name="enterprise_list"),
    path("enterprises/<int:enterprise_id>/", registry.enterprise_detail, name="enterprise_detail"),
    path("imports/<slug:kind>/", registry.import_page, name="import"),
    path("imports/<slug:kind>/template.<str:extension>", registry.import_template, name="import_template"),
    path("worklist/", worklist.worklist, name="worklist"),
    path("worklist/<int:item_id>/", worklist.worklist_item, name="worklist_item"),
    path("founding-rates/", worklist.founding_rates, name="founding_rates"),
    path("founding-rules/", worklist.founding_rules, name="founding_rules"),
    path("founding-rules/customize/", worklist.founding_rules_customize_view, name="founding_rules_customize"),
    path("founding-rules/new/", worklist.founding_rule_edit, name="founding_rule_new"),
    path("founding-rules/<int:rule_id>/", worklist.founding_rule_edit, name="founding_rule_edit"),
    path("applications/", applications.application_list, name="application_list"),
    path("applications/new/", applications.application_new, name="application_new"),
    path("applications/<int:application_id>/", applications.application_detail, name="application_detail"),
    path(
        "applications/<int:application_id>/reject/",
        applications.application_close,
        {"action": "reject"},
        name="application_reject",
    ),
    path(
        "applications/<int:application_id>/withdraw/",
        applications.application_close,
        {"action": "withdraw"},
        name="application_withdraw",
    ),
    path("jobs/<uuid:job_id>/", views.job_progress, name="job_progress"),
    path("jobs/<uuid:job_id>/errors.csv", registry.job_errors, name="job_errors"),
    path("staff/<int:staff_id>/phone/", views.staff_phone, name="staff_phone"),
    path("members/", members.member_list, name="member_list"),
    path("members/<int:person_id>/", members.member_detail, name="member_detail"),
    path("members/<int:person_id>/reveal/<slug:field>/", members.member_reveal, name="member_reveal"),
    path("memberships/<int:membership_id>/<slug:action>/", members.membership_action, name="membership_action"),
    path("transfers/", members.transfer_list, name="transfer_list"),
    path("transfers/<int:transfer_id>/<slug:action>/", members.transfer_action, name="transfer_action"),
    path("channels/", members.channel_list, name="channel_list"),
    path("channels/<int:channel_id>/open/", members.channel_open, name="channel_open"),
    path("channels/<int:channel_id>/qr.<str:kind>", members.channel_qr, name="channel_qr"),
    path("channels/<int:channel_id>/poster/", members.channel_poster, name="channel_poster"),
    path("join-rules/", members.join_rules, name="join_rules"),
    path("join-rules/<int:route_id>/delete/", members.join_rule_delete, name="join_rule_delete"),
]
