""" Contains all the data models used in inputs/outputs """

from .answer_cluster_out import AnswerClusterOut
from .assistant_message import AssistantMessage
from .budget_in import BudgetIn
from .chain_counts_out import ChainCountsOut
from .chain_state_out import ChainStateOut
from .chat_choice import ChatChoice
from .chat_choice_finish_reason import ChatChoiceFinishReason
from .chat_completion import ChatCompletion
from .chat_completion_request import ChatCompletionRequest
from .chat_completion_request_checks_type_0_type_0 import ChatCompletionRequestChecksType0Type0
from .chat_completion_request_reasoning_effort_type_0 import ChatCompletionRequestReasoningEffortType0
from .chat_message import ChatMessage
from .chat_message_role import ChatMessageRole
from .chat_usage import ChatUsage
from .checker_out import CheckerOut
from .checks_out import ChecksOut
from .completion_tokens_details import CompletionTokensDetails
from .context_added import ContextAdded
from .context_out import ContextOut
from .context_request import ContextRequest
from .continue_request import ContinueRequest
from .continue_request_strategy_type_0 import ContinueRequestStrategyType0
from .error_detail import ErrorDetail
from .error_detail_details_type_0_item import ErrorDetailDetailsType0Item
from .error_envelope import ErrorEnvelope
from .health_out import HealthOut
from .input_message import InputMessage
from .input_message_content_type_1_item import InputMessageContentType1Item
from .input_message_role import InputMessageRole
from .input_tokens_details import InputTokensDetails
from .list_traces_kind_type_0 import ListTracesKindType0
from .message_item import MessageItem
from .message_item_status import MessageItemStatus
from .model_card import ModelCard
from .model_list import ModelList
from .open_ai_error import OpenAIError
from .open_ai_error_detail import OpenAIErrorDetail
from .output_text import OutputText
from .output_tokens_details import OutputTokensDetails
from .pool_out import PoolOut
from .ready_out import ReadyOut
from .ready_out_audit import ReadyOutAudit
from .ready_out_engines import ReadyOutEngines
from .ready_out_status import ReadyOutStatus
from .reasoning_item import ReasoningItem
from .reasoning_param import ReasoningParam
from .reasoning_param_effort_type_0 import ReasoningParamEffortType0
from .reasoning_param_summary_type_0 import ReasoningParamSummaryType0
from .replica_out import ReplicaOut
from .response_object import ResponseObject
from .response_object_status import ResponseObjectStatus
from .response_reasoning import ResponseReasoning
from .response_reasoning_effort import ResponseReasoningEffort
from .response_reasoning_summary_type_0 import ResponseReasoningSummaryType0
from .response_request import ResponseRequest
from .response_request_checks_type_0_type_0 import ResponseRequestChecksType0Type0
from .response_tool import ResponseTool
from .response_usage import ResponseUsage
from .search_out import SearchOut
from .search_out_stop_reason_type_0 import SearchOutStopReasonType0
from .solve_request import SolveRequest
from .solve_request_aggregation_type_0 import SolveRequestAggregationType0
from .solve_request_checks_type_0_type_0 import SolveRequestChecksType0Type0
from .solve_request_selection_type_0 import SolveRequestSelectionType0
from .solve_request_strategy_type_0 import SolveRequestStrategyType0
from .solve_request_summary_type_0 import SolveRequestSummaryType0
from .solve_request_tools_type_0_type_0 import SolveRequestToolsType0Type0
from .solve_response import SolveResponse
from .solve_response_aggregation import SolveResponseAggregation
from .solve_response_selection import SolveResponseSelection
from .solve_response_step_checks_item import SolveResponseStepChecksItem
from .stream_options import StreamOptions
from .summary_text import SummaryText
from .text_part import TextPart
from .timings_out import TimingsOut
from .tool_calls_out import ToolCallsOut
from .tools_out import ToolsOut
from .trace_header import TraceHeader
from .trace_header_kind import TraceHeaderKind
from .trace_list_out import TraceListOut
from .trace_out import TraceOut
from .trace_record import TraceRecord
from .trace_record_content import TraceRecordContent
from .trace_record_kind import TraceRecordKind
from .usage_out import UsageOut
from .verification import Verification
from .verification_metadata import VerificationMetadata
from .verification_metadata_bon_calibrated import VerificationMetadataBonCalibrated
from .verification_metadata_bon_verified import VerificationMetadataBonVerified
from .verification_reasoning_effort import VerificationReasoningEffort

__all__ = (
    "AnswerClusterOut",
    "AssistantMessage",
    "BudgetIn",
    "ChainCountsOut",
    "ChainStateOut",
    "ChatChoice",
    "ChatChoiceFinishReason",
    "ChatCompletion",
    "ChatCompletionRequest",
    "ChatCompletionRequestChecksType0Type0",
    "ChatCompletionRequestReasoningEffortType0",
    "ChatMessage",
    "ChatMessageRole",
    "ChatUsage",
    "CheckerOut",
    "ChecksOut",
    "CompletionTokensDetails",
    "ContextAdded",
    "ContextOut",
    "ContextRequest",
    "ContinueRequest",
    "ContinueRequestStrategyType0",
    "ErrorDetail",
    "ErrorDetailDetailsType0Item",
    "ErrorEnvelope",
    "HealthOut",
    "InputMessage",
    "InputMessageContentType1Item",
    "InputMessageRole",
    "InputTokensDetails",
    "ListTracesKindType0",
    "MessageItem",
    "MessageItemStatus",
    "ModelCard",
    "ModelList",
    "OpenAIError",
    "OpenAIErrorDetail",
    "OutputText",
    "OutputTokensDetails",
    "PoolOut",
    "ReadyOut",
    "ReadyOutAudit",
    "ReadyOutEngines",
    "ReadyOutStatus",
    "ReasoningItem",
    "ReasoningParam",
    "ReasoningParamEffortType0",
    "ReasoningParamSummaryType0",
    "ReplicaOut",
    "ResponseObject",
    "ResponseObjectStatus",
    "ResponseReasoning",
    "ResponseReasoningEffort",
    "ResponseReasoningSummaryType0",
    "ResponseRequest",
    "ResponseRequestChecksType0Type0",
    "ResponseTool",
    "ResponseUsage",
    "SearchOut",
    "SearchOutStopReasonType0",
    "SolveRequest",
    "SolveRequestAggregationType0",
    "SolveRequestChecksType0Type0",
    "SolveRequestSelectionType0",
    "SolveRequestStrategyType0",
    "SolveRequestSummaryType0",
    "SolveRequestToolsType0Type0",
    "SolveResponse",
    "SolveResponseAggregation",
    "SolveResponseSelection",
    "SolveResponseStepChecksItem",
    "StreamOptions",
    "SummaryText",
    "TextPart",
    "TimingsOut",
    "ToolCallsOut",
    "ToolsOut",
    "TraceHeader",
    "TraceHeaderKind",
    "TraceListOut",
    "TraceOut",
    "TraceRecord",
    "TraceRecordContent",
    "TraceRecordKind",
    "UsageOut",
    "Verification",
    "VerificationMetadata",
    "VerificationMetadataBonCalibrated",
    "VerificationMetadataBonVerified",
    "VerificationReasoningEffort",
)
