package io.pollster.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Whether the System V shared memory segment a postmaster recorded in its pid file is still attached. */
final class SharedMemory {

    /** Line 7 of {@code postmaster.pid}: the segment's key and id. */
    private static final int SEGMENT_LINE = 6;

    private SharedMemory() {}

    /**
     * True if some process still attaches the segment of {@code pidFileLines}; true as well when that
     * cannot be told (no {@code /proc/sysvipc}), which errs on the side of not starting a second server
     * over a first one's memory.
     */
    static boolean inUse(List<String> pidFileLines) {
        if (pidFileLines.size() <= SEGMENT_LINE) {
            return false; // the postmaster died before it created its memory
        }
        String[] segment = pidFileLines.get(SEGMENT_LINE).trim().split("\\s+");
        if (segment.length < 2) {
            return false;
        }
        String shmid = segment[1];
        try {
            for (String row : Files.readAllLines(Path.of("/proc/sysvipc/shm"))) {
                // key shmid perms size cpid lpid nattch ...
                String[] columns = row.trim().split("\\s+");
                if (columns.length > 6 && columns[1].equals(shmid)) {
                    return !columns[6].equals("0");
                }
            }
            return false; // the segment is gone
        } catch (IOException | RuntimeException cannotTell) {
            return true;
        }
    }
}
