from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from students.models import Course, Department, Discipline, Enrolment, Season, Student


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    autocomplete_fields = ["course"]


@admin.register(Student)
class StudentAdmin(SimpleHistoryAdmin):
    list_display = ["last_name", "first_name", "family", "birth_date"]
    list_select_related = ["family"]
    search_fields = ["last_name", "first_name", "family__name"]
    autocomplete_fields = ["family"]
    inlines = [EnrolmentInline]
    exclude = ["version"]


@admin.register(Season)
class SeasonAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "is_current"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]


@admin.register(Discipline)
class DisciplineAdmin(admin.ModelAdmin):
    list_display = ["name", "department"]
    list_filter = ["department"]
    search_fields = ["name"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["name", "discipline", "season", "teacher", "weekday", "start_time", "end_time"]
    list_filter = ["season", "discipline__department"]
    search_fields = ["name", "discipline__name", "teacher"]
