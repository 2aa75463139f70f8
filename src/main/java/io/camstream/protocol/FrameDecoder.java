package io.camstream.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Splits the byte stream into frames. The magic and reserved bits are checked before the length is trusted, and a
 * length over the limit is refused from the header alone, so a peer cannot make us buffer more than one maximal
 * frame. Broken framing is fatal: after it this decoder discards everything.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private volatile int maxFrameBytes;
    private boolean broken;

    public FrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /** Raises (or lowers) the limit, e.g. from the handshake limit to the negotiated one. */
    public void maxFrameBytes(int limit) {
        this.maxFrameBytes = limit;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int start = in.readerIndex();
        int available = in.readableBytes();
        checkMagicPrefix(in, start, Math.min(4, available));
        if (available < Wire.HEADER_BYTES) return;
        int flags = in.getUnsignedByte(start + 5);
        int reserved = in.getUnsignedShortLE(start + 6);
        if (flags != 0 || reserved != 0) throw broken(String.format("reserved header bits must be 0 (flags 0x%02x, reserved 0x%04x)", flags, reserved));
        long bodyLength = in.getUnsignedIntLE(start + 12);
        if (Wire.HEADER_BYTES + bodyLength > maxFrameBytes) {
            throw broken("frame of " + (Wire.HEADER_BYTES + bodyLength) + " bytes exceeds the limit of " + maxFrameBytes);
        }
        if (available < Wire.HEADER_BYTES + bodyLength) return;
        int opcode = in.getUnsignedByte(start + 4);
        long requestId = in.getUnsignedIntLE(start + 8);
        in.skipBytes(Wire.HEADER_BYTES);
        out.add(new RawFrame(opcode, requestId, in.readRetainedSlice((int) bodyLength)));
    }

    /** Fails on the first wrong magic byte, without waiting for a whole header. */
    private void checkMagicPrefix(ByteBuf in, int start, int n) {
        for (int i = 0; i < n; i++) {
            if (in.getByte(start + i) != (byte) (Wire.MAGIC >>> (8 * i))) {
                throw broken(String.format("bad magic: byte %d is 0x%02x, expected 0x%02x", i, in.getByte(start + i) & 0xff, (Wire.MAGIC >>> (8 * i)) & 0xff));
            }
        }
    }

    private ProtocolException broken(String message) {
        broken = true;
        return ProtocolException.brokenFraming(message);
    }
}
