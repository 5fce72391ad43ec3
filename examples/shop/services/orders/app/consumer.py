"""Consumes payment events from RabbitMQ and marks orders as paid."""

import json
import os

import pika

from app.db import Order, Session


def on_payment(channel, method, properties, body) -> None:
    event = json.loads(body)
    session = Session()
    order = session.query(Order).get(event["order_id"])
    order.status = "paid" if event["status"] == "succeeded" else "payment_failed"
    session.commit()
    channel.basic_ack(delivery_tag=method.delivery_tag)


def main() -> None:
    connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
    channel = connection.channel()
    channel.queue_declare(queue="payments.events", durable=True)
    # No channel.basic_qos(prefetch_count=...): RabbitMQ pushes the whole backlog
    # into this process's memory as fast as the network allows.
    channel.basic_consume(queue="payments.events", on_message_callback=on_payment)
    channel.start_consuming()


if __name__ == "__main__":
    main()
