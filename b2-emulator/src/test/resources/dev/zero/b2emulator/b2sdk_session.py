"""Drives Backblaze's Python b2sdk against a B2 endpoint, as a user's script would.

Usage: b2sdk_session.py URL KEY_ID KEY BUCKET_NAME DIR

DIR holds small.bin and large.bin. The session uploads them as docs/small.bin and
docs/large.bin, downloads bytes RANGE_FIRST..RANGE_LAST of docs/large.bin into DIR/range.bin,
hides docs/small.bin and deletes every version of docs/large.bin, printing after each step a
line "STEP: names" for the caller to check.
"""
import os
import sys

from b2sdk.v2 import B2Api, InMemoryAccountInfo

RANGE_FIRST = 1000
RANGE_LAST = 5_999_999


def names(bucket, latest_only=True):
    listed = bucket.ls(recursive=True, latest_only=latest_only)
    return ','.join(f'{version.file_name}:{version.action}' for version, _ in listed)


def main(url, key_id, key, bucket_name, work):
    api = B2Api(InMemoryAccountInfo())
    api.authorize_account(url, key_id, key)
    # The emulator's key is restricted to its bucket, and b2sdk lists only that one for such a key.
    print('buckets:', ','.join(bucket.name for bucket in api.list_buckets(bucket_name=bucket_name)))
    bucket = api.get_bucket_by_name(bucket_name)

    bucket.upload_local_file(os.path.join(work, 'small.bin'), 'docs/small.bin')
    large = bucket.upload_local_file(os.path.join(work, 'large.bin'), 'docs/large.bin')
    print('uploaded:', names(bucket))

    downloaded = bucket.download_file_by_name('docs/large.bin', range_=(RANGE_FIRST, RANGE_LAST))
    downloaded.save_to(os.path.join(work, 'range.bin'))

    bucket.hide_file('docs/small.bin')
    print('hidden:', names(bucket))

    api.delete_file_version(large.id_, 'docs/large.bin')
    print('deleted:', names(bucket))
    print('versions:', names(bucket, latest_only=False))


if __name__ == '__main__':
    main(*sys.argv[1:])
