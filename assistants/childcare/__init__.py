"""영유아 보육행정 AI 업무매뉴얼: its own page, 별표 안내 (the appendices of its statutes)."""
