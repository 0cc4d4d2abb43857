from party import views

menu = []

urlpatterns = [
    *views.ClueViews.urls(),
    *views.ArchiveViews.urls(),
    *views.ArchiveEntryViews.urls(),
]
