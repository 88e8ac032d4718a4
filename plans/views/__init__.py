"""Plan pages, one module per subject. Each view turns HTTP into one service or selector
call and back; ``plans/urls.py`` names each module's views."""
