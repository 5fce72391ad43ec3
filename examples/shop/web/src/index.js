import { listOrders } from "./api.js";
import { cartTotal, restoreCart } from "./cart.js";

async function render() {
  const table = document.querySelector("#orders tbody");
  for (const order of await listOrders()) {
    const row = table.insertRow();
    row.insertCell().textContent = order.id;
    row.insertCell().textContent = order.customer;
    row.insertCell().textContent = order.total;
  }
  const cart = restoreCart(localStorage.getItem("cart") || "{}", { lines: [] });
  document.querySelector("#cart-total").textContent = (cartTotal(cart) / 100).toFixed(2);
}

render();
