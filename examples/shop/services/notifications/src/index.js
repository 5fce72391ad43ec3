// Consumes order events and sends e-mails through the mail relay.
const amqp = require("amqplib");

const AMQP_URL = process.env.AMQP_URL || "amqp://localhost";
const MAIL_API = process.env.MAIL_API || "http://mail-relay:8025/send";

async function send(event) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5000);
  try {
    const res = await fetch(MAIL_API, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ to: event.email, template: event.type, data: event }),
      signal: controller.signal,
    });
    return res.ok;
  } finally {
    clearTimeout(timer);
  }
}

async function main() {
  const conn = await amqp.connect(AMQP_URL);
  const channel = await conn.createChannel();
  await channel.assertQueue("orders.events", { durable: true });
  // Look-alike: bounded prefetch, unlike the Python consumer in services/orders.
  await channel.prefetch(20);
  await channel.consume("orders.events", async (msg) => {
    const ok = await send(JSON.parse(msg.content.toString()));
    ok ? channel.ack(msg) : channel.nack(msg, false, true);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
