"""Operator tools: what is on the topics, and what one session went through."""

from mangaassist.inspect.dump import DumpQuery, dump_records
from mangaassist.inspect.topics import TopicPartitionRow, topic_report

__all__ = ["DumpQuery", "TopicPartitionRow", "dump_records", "topic_report"]
