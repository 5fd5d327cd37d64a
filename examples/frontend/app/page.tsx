"use client";

import { useEffect, useState } from "react";
import { api } from "../lib/api";

export default function Home() {
  const [orders, setOrders] = useState<string[]>([]);
  useEffect(() => {
    api.get("/orders").then((res) => {
      console.log("orders loaded", res.data);
      setOrders(res.data);
    });
  }, []);
  return (
    <ul>
      {orders.map((o) => (
        <li key={o}>{o}</li>
      ))}
    </ul>
  );
}
