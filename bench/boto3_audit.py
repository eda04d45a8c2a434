"""The documented root-key review in one process with boto3 (sequential)."""
import boto3

sts = boto3.client("sts")
iam = boto3.client("iam")
ident = sts.get_caller_identity()
summary = iam.get_account_summary()["SummaryMap"]["AccountAccessKeysPresent"]
keys = iam.list_access_keys()["AccessKeyMetadata"]
for key in keys:
    iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
print(ident["Arn"], summary, len(keys))
