import axios from "axios";

const savedToken = localStorage.getItem("auth_token");

export let api = axios.create({
  baseURL: process.env.NEXT_PUBLIC_API_URL ?? "http://localhost:8000/api",
  headers: savedToken ? { Authorization: `Bearer ${savedToken}` } : {},
});

export function configureApi(baseURL: string) {
  api = axios.create({ baseURL });
}

export function openNotifications(token: string): WebSocket {
  return new WebSocket(`wss://api.example.com/ws/notifications?token=${token}`);
}

export function readCachedProfile(): unknown {
  try {
    return JSON.parse(localStorage.getItem("profile") ?? "null");
  } catch {}
  return null;
}
