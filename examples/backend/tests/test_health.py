from fastapi.testclient import TestClient

from app.main import app


def test_health():
    with TestClient(app) as client:
        response = client.get("/api/health")
        print(response.json())  # exempt: tests may print
        assert response.status_code == 200
