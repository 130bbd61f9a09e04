package dev.zero.b2emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Pages of a bucket listing as B2 returns them: names in order from a start name, limited to a
 * prefix, and with a delimiter every name that has it after the prefix folded into one "folder"
 * entry ending in the delimiter. A page that is full names where the next one starts.
 */
final class Listing {
    private Listing() {
    }

    /**
     * @param byName      every name's versions, newest first
     * @param allVersions every version (b2_list_file_versions) rather than each name's newest
     *                    visible one (b2_list_file_names)
     * @param startFileId with {@code allVersions}, the first version of {@code startFileName} to list
     */
    static ListPage page(NavigableMap<String, List<FileVersion>> byName, String startFileName, String startFileId,
                         int maxCount, String prefix, String delimiter, boolean allVersions) {
        String namePrefix = prefix == null ? "" : prefix;
        String from = startFileName == null || startFileName.compareTo(namePrefix) < 0 ? namePrefix : startFileName;
        List<FileVersion> page = new ArrayList<>();
        String lastFolder = null;
        for (Map.Entry<String, List<FileVersion>> entry : byName.tailMap(from, true).entrySet()) {
            String name = entry.getKey();
            if (!name.startsWith(namePrefix)) {
                break; // names are sorted, so no later name has the prefix either
            }
            List<FileVersion> listed = listedVersions(entry.getValue(), allVersions,
                    name.equals(startFileName) ? startFileId : null);
            if (listed.isEmpty()) {
                continue;
            }
            String folder = folderOf(name, namePrefix, delimiter);
            if (folder != null) {
                if (folder.equals(lastFolder)) {
                    continue;
                }
                if (page.size() == maxCount) {
                    return new ListPage(page, folder, null);
                }
                page.add(FileVersion.folder(folder));
                lastFolder = folder;
                continue;
            }
            for (FileVersion version : listed) {
                if (page.size() == maxCount) {
                    return new ListPage(page, name, allVersions ? version.fileId() : null);
                }
                page.add(version);
            }
        }
        return new ListPage(page, null, null);
    }

    private static List<FileVersion> listedVersions(List<FileVersion> versions, boolean allVersions,
                                                    String startFileId) {
        if (!allVersions) {
            return versions.get(0).isUpload() ? List.of(versions.get(0)) : List.of();
        }
        if (startFileId == null) {
            return versions;
        }
        for (int i = 0; i < versions.size(); i++) {
            if (versions.get(i).fileId().equals(startFileId)) {
                return versions.subList(i, versions.size());
            }
        }
        return versions;
    }

    private static String folderOf(String name, String prefix, String delimiter) {
        if (delimiter == null || delimiter.isEmpty()) {
            return null;
        }
        int at = name.indexOf(delimiter, prefix.length());
        return at < 0 ? null : name.substring(0, at + delimiter.length());
    }
}
