"""WordPress in Parley: its export format, its content, import and export.

- wxr: WordPress eXtended RSS (WXR 1.0–1.2), a streaming reader and a writer;
- content: WordPress's HTML and values (names, slugs, addresses) as Parley stores them;
- importing: `wxr_import`, a WordPress export brought in, post by post;
- exporting: `wxr_export`, the blog written out as a WordPress export.

The `import_wxr` and `export_wxr` commands are thin shells around the last two.
"""
