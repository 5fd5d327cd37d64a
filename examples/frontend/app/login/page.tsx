"use client";

import { FormEvent } from "react";
import { api } from "../../lib/api";

const TOKEN_KEY = "auth_token";

export default function LoginPage() {
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const res = await api.post("/auth/login", form);
    const { access_token } = res.data;
    localStorage.setItem(TOKEN_KEY, access_token);
    localStorage.setItem("user", JSON.stringify(res.data.user));
    window.location.href = "/";
  }
  return (
    <form onSubmit={onSubmit}>
      <input name="email" type="email" />
      <input name="password" type="password" />
      <button type="submit">Sign in</button>
    </form>
  );
}
