import fs from "fs";
import path from "path";
import { NextResponse } from "next/server";

export async function GET() {
  const file = path.join(process.cwd(), "data", "report.json");
  const body = fs.readFileSync(file, "utf8");
  console.info("serving report", file);
  return NextResponse.json(JSON.parse(body));
}
