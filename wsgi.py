"""Production entry point: gunicorn wsgi:app"""

from selfcare import create_app

app = create_app()
