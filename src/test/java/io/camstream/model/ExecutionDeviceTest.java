package io.camstream.model;

import io.camstream.InvalidInputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExecutionDeviceTest {
    @Test
    void parsesTheDeviceOption() {
        assertEquals(ExecutionDevice.cpu(), ExecutionDevice.parse("cpu"));
        assertEquals(ExecutionDevice.cuda(0), ExecutionDevice.parse("CUDA"));
        assertEquals(ExecutionDevice.cuda(1), ExecutionDevice.parse("cuda:1"));
        for (String bad : new String[]{"", "tpu", "cuda:", "cuda:x", "cuda:-1"}) {
            assertThrows(InvalidInputException.class, () -> ExecutionDevice.parse(bad), bad);
        }
    }

    @Test
    void cudaDefaultsAreTheVideoRateSettingsAndCanBeSwitchedOff() {
        ExecutionDevice d = ExecutionDevice.cuda(0);
        assertTrue(d.isCuda() && d.half() && d.channelsLast() && d.cudnnBenchmark());
        assertEquals("cuda:0 (half, channels_last, cudnn.benchmark)", d.toString());
        ExecutionDevice plain = d.withHalf(false).withChannelsLast(false).withCudnnBenchmark(false);
        assertEquals("cuda:0", plain.toString());
        assertFalse(ExecutionDevice.cpu().isCuda());
    }

    @Test
    void cpuRefusesCudaOnlySettings() {
        assertThrows(InvalidInputException.class, () -> ExecutionDevice.cpu().withHalf(true));
        assertThrows(InvalidInputException.class, () -> ExecutionDevice.cpu().withCudnnBenchmark(true));
        assertEquals("cpu (channels_last)", ExecutionDevice.cpu().withChannelsLast(true).toString());
    }
}
