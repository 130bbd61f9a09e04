package dev.zero.b2emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The faults in force, in the order they were added. Each API call takes the first one that
 * applies to its path, which uses up one of that fault's calls. Thread-safe: parallel calls each
 * use up a different call of a counted fault.
 */
public final class FaultPlan {
    private final List<Fault> faults = new ArrayList<>();

    public synchronized void add(Fault fault) {
        faults.add(fault);
    }

    public synchronized void clear() {
        faults.clear();
    }

    /** The faults still in force; a counted fault shows how many calls it has left. */
    public synchronized List<Fault> active() {
        return List.copyOf(faults);
    }

    synchronized Optional<Fault> take(String path) {
        for (int i = 0; i < faults.size(); i++) {
            Fault fault = faults.get(i);
            if (!fault.appliesTo(path)) {
                continue;
            }
            if (fault.count() == 1) {
                faults.remove(i);
            } else if (fault.count() != Fault.UNTIL_CLEARED) {
                faults.set(i, fault.times(fault.count() - 1));
            }
            return Optional.of(fault);
        }
        return Optional.empty();
    }
}
