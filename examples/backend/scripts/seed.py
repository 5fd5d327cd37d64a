from app.db import SessionLocal
from app.models import User

if __name__ == "__main__":
    db = SessionLocal()
    db.add(User(email="admin@example.com"))
    db.commit()
    print("seeded")
