/**
 * Readiness for systemd: a `Type=notify` service is "started" only when it
 * says `READY=1` (sd_notify(3)), so `systemctl start` returns when the
 * server really serves. Deno has no stable Unix datagram socket, so the
 * message goes through `systemd-notify --ready`, a child process: the unit
 * needs `NotifyAccess=all`, and since systemd 246 `systemd-notify` waits
 * for systemd to have read the message (a barrier), so the message is not
 * lost when the child exits first.
 *
 * @module
 */

/** The one program the binary may run (`--allow-run=systemd-notify`). */
export const SYSTEMD_NOTIFY = "systemd-notify";

/** What {@link notifyReady} did. */
export type NotifyOutcome =
  | { readonly kind: "not_under_systemd" }
  | { readonly kind: "notified" }
  | { readonly kind: "failed"; readonly reason: string };

/** Options for {@link notifyReady}. */
export interface NotifyOptions {
  /** How long `systemd-notify` may take, in ms. Default 10 000. */
  readonly timeoutMs?: number;
  /** The program to run. Default {@link SYSTEMD_NOTIFY}, found on `PATH`. */
  readonly program?: string;
}

/**
 * Tells systemd the service is ready, when it runs under one
 * (`NOTIFY_SOCKET` is set); otherwise does nothing. Never throws: a failure
 * comes back as `failed` with the reason, for the log (systemd then stops
 * the service when `TimeoutStartSec=` runs out).
 *
 * @param notifySocket the `NOTIFY_SOCKET` the process was started with
 *
 * @example
 * ```ts
 * import { notifyReady } from "./sd_notify.ts";
 *
 * const outcome = await notifyReady(undefined);
 * outcome.kind; // "not_under_systemd"
 * ```
 */
export async function notifyReady(
  notifySocket: string | undefined,
  options: NotifyOptions = {},
): Promise<NotifyOutcome> {
  if (notifySocket === undefined || notifySocket === "") {
    return { kind: "not_under_systemd" };
  }
  try {
    const { code, stderr } = await new Deno.Command(
      options.program ?? SYSTEMD_NOTIFY,
      {
        args: ["--ready"],
        // What systemd-notify reads, on top of the inherited environment.
        env: { NOTIFY_SOCKET: notifySocket },
        stdin: "null",
        stdout: "null",
        stderr: "piped",
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      },
    ).output();
    if (code === 0) return { kind: "notified" };
    const said = new TextDecoder().decode(stderr).trim().slice(0, 300);
    return {
      kind: "failed",
      reason: `${SYSTEMD_NOTIFY} exited with ${code}${said ? `: ${said}` : ""}`,
    };
  } catch (error) {
    return {
      kind: "failed",
      reason: error instanceof Error
        ? `${error.name}: ${error.message}`
        : String(error),
    };
  }
}
