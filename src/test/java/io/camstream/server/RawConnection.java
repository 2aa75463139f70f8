package io.camstream.server;

import io.camstream.protocol.Hello;
import io.camstream.protocol.HelloOk;
import io.camstream.protocol.Message;
import io.camstream.protocol.MessageCodec;
import io.camstream.protocol.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** A blocking socket speaking raw bytes, for tests that must send what no well-behaved client would. */
final class RawConnection implements AutoCloseable {
    /** What a read found: a message, the peer's close, or nothing within the timeout. */
    static final Object CLOSED = "closed";
    static final Object TIMEOUT = "timeout";

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawConnection(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** A connection that agreed on the newest protocol version. */
    static RawConnection handshaken(int port) throws IOException {
        return handshaken(port, Wire.VERSION);
    }

    /** A connection whose HELLO offered versions 1..{@code maxVersion}; asserts the server agreed on {@code maxVersion}. */
    static RawConnection handshaken(int port, int maxVersion) throws IOException {
        RawConnection c = new RawConnection(port);
        c.send(new Hello(Wire.MIN_VERSION, maxVersion, Wire.MAX_FRAME_LIMIT, "raw test", ""));
        HelloOk ok = assertInstanceOf(HelloOk.class, c.read());
        if (ok.version() != maxVersion) throw new AssertionError("server agreed on version " + ok.version() + ", expected " + maxVersion);
        return c;
    }

    void send(Message m) throws IOException {
        sendBytes(encode(m));
    }

    void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    static byte[] encode(Message m) {
        ByteBuf b = Unpooled.buffer();
        MessageCodec.encode(m, b);
        byte[] bytes = ByteBufUtil.getBytes(b);
        b.release();
        return bytes;
    }

    void setReadTimeoutMillis(int millis) throws SocketException {
        socket.setSoTimeout(millis);
    }

    /** The next message, {@link #CLOSED} when the server closed the connection, or {@link #TIMEOUT}. */
    Object read() throws IOException {
        byte[] header = new byte[Wire.HEADER_BYTES];
        try {
            in.readFully(header);
        } catch (EOFException | SocketException e) {
            return CLOSED;
        } catch (SocketTimeoutException e) {
            return TIMEOUT;
        }
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        if (h.getInt(0) != Wire.MAGIC) throw new IOException("server sent bad magic");
        int opcode = header[4] & 0xff;
        long id = Integer.toUnsignedLong(h.getInt(8));
        byte[] body = new byte[h.getInt(12)];
        in.readFully(body);
        return MessageCodec.decode(opcode, id, Unpooled.wrappedBuffer(body));
    }

    /** Reads until the server closes (at most {@code max} messages); the messages seen on the way are dropped. */
    boolean awaitClose(int max) throws IOException {
        for (int i = 0; i < max; i++) {
            Object o = read();
            if (o == CLOSED) return true;
            if (o == TIMEOUT) return false;
        }
        return false;
    }

    InputStream input() {
        return in;
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
