/**
 * HTTP against the server under test, bounded in time and recorded so a
 * failure can show what was sent and what came back. Tokens never appear in
 * a record: the caller gives each one a label.
 *
 * @module
 */

/** A token to send, and the name the report uses for it. */
export interface LabelledToken {
  /** The compact JWT (or any string) sent as the bearer token. */
  readonly value: string;
  /** What the report shows instead, e.g. `expired token`. */
  readonly label: string;
}

/** One request and its answer, safe to print. */
export interface Exchange {
  /** The request line and the headers that matter. */
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly authorization?: string;
    readonly origin?: string;
    readonly body?: string;
  };
  /** The answer, or `undefined` when there was none. */
  readonly response?: {
    readonly status: number;
    readonly wwwAuthenticate?: string;
    readonly contentType?: string;
    readonly body: string;
  };
  /** Why there was no answer. */
  readonly error?: string;
}

/** An answer with its body read. */
export interface Answer {
  /** HTTP status. */
  readonly status: number;
  /** Response headers. */
  readonly headers: Headers;
  /** The body as text. */
  readonly text: string;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  readonly json: unknown;
}

/** A request to send. */
export interface ProbeRequest {
  /** Default `POST`. */
  readonly method?: string;
  /** Absolute URL; default the MCP endpoint. */
  readonly url?: string;
  /** A token for `Authorization: Bearer …`. */
  readonly token?: LabelledToken;
  /** A raw `Authorization` header (shown as is: never put a real token here). */
  readonly authorization?: string;
  /** A JSON body (serialised) or a string. */
  readonly body?: unknown;
  /** More headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Tokens sent elsewhere (the query string) that the report must hide. */
  readonly redact?: readonly LabelledToken[];
}

/** Sends and records requests. */
export interface Probe {
  /** Sends a request; network errors are thrown after being recorded. */
  send(request: ProbeRequest): Promise<Answer>;
  /** A `fetch` for MCP SDK clients that records what they send; `labels` names tokens. */
  recordingFetch(labels: readonly LabelledToken[]): typeof fetch;
  /** Starts collecting exchanges; `stop()` returns them. */
  record(): { stop(): Exchange[] };
}

/** Options for {@link createProbe}. */
export interface ProbeOptions {
  /** The MCP endpoint. */
  readonly mcpUrl: string;
  /** Per-request timeout, in milliseconds. */
  readonly timeoutMs: number;
  /** Tokens hidden from every record whatever the request (the live token). */
  readonly secrets?: readonly LabelledToken[];
}

const BODY_EXCERPT = 600;

/** A JSON-RPC `initialize` request: the one message every server must take without a session. */
export const INITIALIZE = Object.freeze({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "mcp-scalekit-conformance", version: "0.1.0" },
  },
});

/** Builds a probe. */
export function createProbe(options: ProbeOptions): Probe {
  let current: Exchange[] | undefined;

  function redact(text: string, labels: readonly LabelledToken[]): string {
    let out = text;
    for (const token of [...labels, ...(options.secrets ?? [])]) {
      if (token.value !== "") {
        out = out.split(token.value).join(`<${token.label}>`);
      }
    }
    return scrubSecrets(out);
  }

  async function exchange(
    url: string,
    init: RequestInit,
    labels: readonly LabelledToken[],
  ): Promise<Response> {
    const headers = new Headers(init.headers);
    // What goes on the wire: fetch trims header values, so `Bearer ` is
    // sent (and reported) as `Bearer`.
    const authorization = headers.get("authorization") ?? undefined;
    const origin = headers.get("origin") ?? undefined;
    const body = typeof init.body === "string" ? init.body : undefined;
    const request = {
      method: init.method ?? "GET",
      url: redact(url, labels),
      ...(authorization !== undefined
        ? { authorization: redact(authorization, labels) }
        : {}),
      ...(origin !== undefined ? { origin } : {}),
      ...(body ? { body: redact(body, labels).slice(0, BODY_EXCERPT) } : {}),
    };
    let response: Response;
    try {
      response = await fetch(url, {
        ...init,
        redirect: "manual",
        signal: init.signal
          ? AbortSignal.any([
            init.signal,
            AbortSignal.timeout(options.timeoutMs),
          ])
          : AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      current?.push({
        request,
        error: error instanceof Error
          ? `${error.name}: ${error.message}`
          : String(error),
      });
      throw error;
    }
    // An event stream may stay open: record it without reading it.
    const isStream = response.headers.get("content-type")?.startsWith(
      "text/event-stream",
    );
    const text = isStream
      ? "(event stream, not captured)"
      : await response.clone().text().catch(() => "");
    current?.push({
      request,
      response: {
        status: response.status,
        ...(response.headers.has("www-authenticate")
          ? { wwwAuthenticate: response.headers.get("www-authenticate")! }
          : {}),
        ...(response.headers.has("content-type")
          ? { contentType: response.headers.get("content-type")! }
          : {}),
        body: summarizeBody(
          redact(text, labels),
          response.headers.get("content-type"),
        ),
      },
    });
    return response;
  }

  return {
    async send(request) {
      const headers = new Headers({
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...request.headers,
      });
      if (request.token) {
        headers.set("authorization", `Bearer ${request.token.value}`);
      } else if (request.authorization !== undefined) {
        headers.set("authorization", request.authorization);
      }
      const method = request.method ?? "POST";
      const body = request.body === undefined
        ? undefined
        : typeof request.body === "string"
        ? request.body
        : JSON.stringify(request.body);
      const response = await exchange(request.url ?? options.mcpUrl, {
        method,
        headers,
        body,
      }, [
        ...(request.token ? [request.token] : []),
        ...(request.redact ?? []),
      ]);
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        text,
        json: parseJson(text),
      };
    },
    recordingFetch(labels) {
      return async (input, init) => {
        if (!(input instanceof Request)) {
          return await exchange(String(input), init ?? {}, labels);
        }
        // A Request carries its own method, headers and body.
        return await exchange(input.url, {
          method: input.method,
          headers: input.headers,
          body: input.body ? await input.text() : undefined,
          signal: input.signal,
          ...init,
        }, labels);
      };
    },
    record() {
      const exchanges: Exchange[] = [];
      current = exchanges;
      return {
        stop() {
          if (current === exchanges) current = undefined;
          return exchanges;
        },
      };
    },
  };
}

const JWT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
const JSON_SECRET =
  /("(?:access_token|refresh_token|id_token|client_secret|code|code_verifier)"\s*:\s*")(?!<)[^"]*"/g;
// A value already replaced by a `<label>` is left alone.
const FORM_SECRET =
  /\b((?:access_token|refresh_token|id_token|client_secret|code|code_verifier)=)(?!<)[^&\s]*/g;

/**
 * Hides credentials that no label names (tokens issued during an OAuth
 * journey): JWTs, and secret fields of JSON and form bodies.
 */
export function scrubSecrets(text: string): string {
  // Named secret fields first, so a JWT among them reads `<redacted>`.
  return text
    .replace(JSON_SECRET, '$1<redacted>"')
    .replace(FORM_SECRET, "$1<redacted>")
    .replace(JWT, "<token>");
}

/**
 * A body as a report shows it: an HTML page cut to its title (error pages
 * of proxies and frameworks are long and say nothing more), anything else
 * cut to a few hundred characters.
 */
export function summarizeBody(
  text: string,
  contentType: string | null = null,
): string {
  const html = contentType?.toLowerCase().includes("text/html") ||
    /^\s*<(!doctype html|html)[\s>]/i.test(text);
  if (html) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]
      .replace(/\s+/g, " ").trim();
    return title ? `(HTML page "${title}")` : "(HTML page without a title)";
  }
  return text.length > BODY_EXCERPT ? `${text.slice(0, BODY_EXCERPT)}…` : text;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
