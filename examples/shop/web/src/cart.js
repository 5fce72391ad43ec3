import merge from "lodash/merge";
import zipObjectDeep from "lodash/zipObjectDeep";
import dayjs from "dayjs";

// lodash 4.17.15 is affected by CVE-2020-8203 (prototype pollution through
// zipObjectDeep with user-supplied property paths, exactly what restoreFromForm
// does) and CVE-2021-23337 (command injection through template).
export function restoreFromForm(fieldNames, fieldValues, defaults) {
  const cart = merge({}, defaults, zipObjectDeep(fieldNames, fieldValues));
  cart.restoredAt = dayjs().toISOString();
  return cart;
}

export function restoreCart(saved, defaults) {
  return merge({}, defaults, JSON.parse(saved));
}

export function cartTotal(cart) {
  return cart.lines.reduce((sum, line) => sum + line.price_cents * line.quantity, 0);
}
