package io.closedloop.gateway.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One client's HTTP/1.1 connection, kept open between requests: the benchmark's load generator.
 * It shares the two cores with the system measured, so it should cost as little as it can; the
 * JDK's HttpClient spent 0.7 to 1.9 ms of CPU per request (a selector thread and hand-offs per
 * exchange), this a tenth of that. Handles Content-Length and chunked answers; reconnects after
 * an answer saying {@code Connection: close} (a connection closed silently fails the request).
 */
final class KeepAliveConnection implements Closeable {

    /** Status and body of one exchange. */
    record Answer(int status, byte[] body) {
    }

    private final String host;
    private final int port;
    private final String path;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    KeepAliveConnection(String url) {
        URI uri = URI.create(url);
        this.host = uri.getHost();
        this.port = uri.getPort();
        this.path = uri.getRawPath();
    }

    /** The request's head for {@code body}: built once per body, sent many times. */
    byte[] post(String token, byte[] body) {
        String head = "POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
        byte[] request = new byte[head.length() + body.length];
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, request, 0, head.length());
        System.arraycopy(body, 0, request, head.length(), body.length);
        return request;
    }

    Answer send(byte[] request) throws IOException {
        if (socket == null) {
            socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream(), 65536);
            out = socket.getOutputStream();
        }
        out.write(request);
        out.flush();
        String status = line();
        int code = Integer.parseInt(status.split(" ")[1]);
        int length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String header = line(); !header.isEmpty(); header = line()) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        byte[] body;
        if (chunked) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
                 size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                all.write(in.readNBytes(size));
                line();
            }
            line();
            body = all.toByteArray();
        } else {
            body = in.readNBytes(Math.max(length, 0));
        }
        if (close) {
            close();
        }
        return new Answer(code, body);
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("connection closed by " + host + ":" + port);
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
