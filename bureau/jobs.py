"""Long-running work (large exports, the annual workbook): progress pages and downloads."""

urlpatterns = []
