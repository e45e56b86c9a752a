"""The web server families and young people meet: a demo council page with the chat widget,
the full-screen young carers' app (/app) and, mounted beside them, the Children's Rights
Officers' triage view (/cro)."""
