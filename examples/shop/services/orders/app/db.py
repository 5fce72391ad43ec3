"""SQLAlchemy models and a raw psycopg2 connection for the reporting queries."""

import os

import psycopg2
from sqlalchemy import Column, ForeignKey, Integer, Numeric, String, create_engine
from sqlalchemy.ext.declarative import declarative_base
from sqlalchemy.orm import relationship, sessionmaker

Base = declarative_base()
engine = create_engine(os.environ.get("DATABASE_URL", "postgresql://orders@localhost/orders"))
Session = sessionmaker(bind=engine)


class Customer(Base):
    __tablename__ = "customers"
    id = Column(Integer, primary_key=True)
    email = Column(String(255), nullable=False)
    name = Column(String(255))


class Order(Base):
    __tablename__ = "orders"
    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    status = Column(String(32), default="pending")
    total = Column(Numeric(10, 2))
    customer = relationship("Customer")  # lazy="select": one query per access
    lines = relationship("OrderLine", back_populates="order")


class OrderLine(Base):
    __tablename__ = "order_lines"
    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False)
    sku = Column(String(64), nullable=False)
    quantity = Column(Integer, nullable=False)
    order = relationship("Order", back_populates="lines")


def reporting_connection():
    return psycopg2.connect(os.environ.get("REPORTING_DSN", "dbname=orders"))
