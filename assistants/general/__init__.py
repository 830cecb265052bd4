"""범용 AI 업무매뉴얼: its domain tools (민원 처리기간 계산, 공문서 검토) and their endpoints."""
