"""Schedule files (MS Project, Primavera...): upload, preview, import, bulk import, export."""
