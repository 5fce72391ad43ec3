// Thin wrapper over the orders API used by every page.
const API = window.SHOP_API || "/api";

export async function listOrders(limit = 20) {
  // No AbortController: a hung orders service leaves the spinner up forever.
  const res = await fetch(`${API}/orders?limit=${limit}`);
  if (!res.ok) throw new Error(`orders: ${res.status}`);
  return res.json();
}

export async function checkout(orderId, cartId, address) {
  const res = await fetch(`${API}/orders/${orderId}/checkout`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ cart_id: cartId, address }),
  });
  return res.json();
}

export async function trackShipment(shipmentId) {
  // Look-alike: bounded by AbortSignal.timeout.
  const res = await fetch(`${API}/shipments/${shipmentId}`, { signal: AbortSignal.timeout(4000) });
  return res.json();
}
