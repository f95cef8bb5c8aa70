"""Every refusal the product answers, told in English and in Vietnamese (issue 22).

A refusal is raised with a stable ``code`` and an English message naming the rule and its
specifics (``ledger.errors``). This catalogue states, once per code, the rule broken in one
plain sentence in each language, in the words an owner or a customs officer uses (the
vocabulary of Circular 194/2010/TT-BTC Art. 55: kho ngoại quan, tờ khai, chủ kho, chủ hàng,
gia hạn, thanh khoản, lưu giữ…). ``localized`` tells a refusal in a language: in English the
message as raised; in Vietnamese the rule's sentence, then the specifics — in Vietnamese when
the message is one of the checks' own (a date, a code, a period), else as raised, in
parentheses. A request refused for its shape (pydantic's errors, kept as ``FieldProblem``)
is told field by field from a table of templates over each error's context.

Pure: no I/O, nothing but the text. ``tests/unit/test_refusals.py`` reads the source for
every code raised and fails for one without its entry here, or an entry raised nowhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ledger.errors import FieldProblem, LedgerError
from ledger.refusal_specifics import specifics_vi

__all__ = [
    "REFUSALS",
    "FieldProblem",
    "Refusal",
    "localized",
    "problem_text",
    "rule",
    "value_error_text",
]


@dataclass(frozen=True)
class Refusal:
    """The rule a code stands for, one sentence in each language, without a final stop."""

    code: str
    en: str
    vi: str


_ALL: tuple[Refusal, ...] = (
    # --- reference data: enterprises, warehouses, rent contracts -----------------------------
    Refusal(
        "enterprise_exists", "The enterprise is already registered", "Doanh nghiệp đã được đăng ký"
    ),
    Refusal(
        "unknown_enterprise",
        "The enterprise is not registered",
        "Doanh nghiệp chưa được đăng ký",
    ),
    Refusal(
        "warehouse_exists",
        "The bonded warehouse is already registered",
        "Kho ngoại quan đã được đăng ký",
    ),
    Refusal(
        "unknown_warehouse",
        "No bonded warehouse is registered under that code",
        "Không có kho ngoại quan nào được đăng ký với mã này",
    ),
    Refusal(
        "contract_exists",
        "The warehouse rent contract is already registered",
        "Hợp đồng thuê kho ngoại quan đã được đăng ký",
    ),
    Refusal(
        "unknown_contract",
        "The warehouse rent contract is not registered with customs",
        "Hợp đồng thuê kho ngoại quan chưa được đăng ký với hải quan",
    ),
    Refusal(
        "contract_dates",
        "A rent contract must expire after it starts",
        "Ngày hết hạn hợp đồng thuê kho phải sau ngày hợp đồng có hiệu lực",
    ),
    Refusal(
        "extension_not_later",
        "A rent contract's extension must set a later expiry date than the current one",
        "Gia hạn hợp đồng thuê kho phải có ngày hết hạn sau ngày hết hạn hiện tại",
    ),
    # --- warehousing: the declaration and its lots -------------------------------------------
    Refusal(
        "declaration_exists",
        "The declaration number is already recorded",
        "Số tờ khai đã được ghi nhận",
    ),
    Refusal(
        "unknown_declaration",
        "The declaration has not been recorded",
        "Tờ khai chưa được ghi nhận trong sổ",
    ),
    Refusal(
        "effective_in_future",
        "A movement cannot take effect after the moment it is recorded",
        "Thời điểm phát sinh nghiệp vụ không được sau thời điểm ghi sổ",
    ),
    Refusal(
        "warehoused_before_registration",
        "Goods cannot enter the warehouse before their declaration is registered",
        "Hàng hóa không được đưa vào kho trước ngày đăng ký tờ khai",
    ),
    Refusal(
        "expiry_before_registration",
        "The contract expiry in box 2 of the declaration must be after its registration date",
        "Thời hạn hợp đồng thuê kho ghi tại ô 2 của tờ khai phải sau ngày đăng ký tờ khai",
    ),
    Refusal(
        "contract_required",
        "A goods owner who does not own the warehouse needs a rent contract registered "
        "with customs",
        "Chủ hàng không phải chủ kho phải có hợp đồng thuê kho ngoại quan đã đăng ký với hải quan",
    ),
    Refusal(
        "contract_other_warehouse",
        "The rent contract is for another bonded warehouse",
        "Hợp đồng thuê kho là của kho ngoại quan khác",
    ),
    Refusal(
        "contract_other_owner",
        "The rent contract is with another goods owner",
        "Hợp đồng thuê kho đứng tên chủ hàng khác",
    ),
    Refusal(
        "contract_not_valid",
        "The rent contract is not in force on that date",
        "Hợp đồng thuê kho không có hiệu lực vào ngày đó",
    ),
    Refusal(
        "expiry_after_contract",
        "The contract expiry in box 2 of the declaration cannot be after the rent "
        "contract's expiry",
        "Thời hạn ghi tại ô 2 của tờ khai không được sau ngày hết hạn của hợp đồng thuê kho",
    ),
    Refusal(
        "invalid_source",
        "Goods enter a bonded warehouse only from abroad, from the inland (with an export "
        "declaration), after processing or under a forced re-export decision",
        "Hàng hóa chỉ được đưa vào kho ngoại quan từ nước ngoài, từ nội địa (có tờ khai xuất "
        "khẩu), từ nội địa sau gia công hoặc là hàng buộc tái xuất theo quyết định",
    ),
    Refusal(
        "missing_field",
        "A field required in this case is missing",
        "Thiếu thông tin bắt buộc trong trường hợp này",
    ),
    Refusal(
        "unexpected_field",
        "A field that does not apply in this case was given",
        "Có thông tin không được khai trong trường hợp này",
    ),
    Refusal(
        "no_lines",
        "A warehousing declaration has at least one goods line",
        "Tờ khai hàng hóa nhập kho phải có ít nhất một dòng hàng",
    ),
    Refusal(
        "duplicate_line_no",
        "A line number appears twice in the declaration",
        "Số thứ tự dòng hàng bị trùng trong tờ khai",
    ),
    # --- movements: ex-warehousing, transfers, moves, holds ----------------------------------
    Refusal("unknown_lot", "The lot does not exist", "Lô hàng không tồn tại"),
    Refusal("lot_exists", "The lot already exists", "Lô hàng đã tồn tại"),
    Refusal(
        "before_lot_existed",
        "A movement cannot take effect before the lot came into being",
        "Thời điểm phát sinh nghiệp vụ sớm hơn thời điểm lô hàng được hình thành",
    ),
    Refusal(
        "insufficient_balance",
        "The quantity taken out exceeds the lot's balance at that time",
        "Số lượng xuất kho vượt quá số lượng tồn của lô hàng tại thời điểm đó",
    ),
    Refusal(
        "invalid_destination",
        "Goods leave a bonded warehouse only for abroad, the inland or a non-tariff zone",
        "Hàng hóa chỉ được đưa ra khỏi kho ngoại quan để xuất ra nước ngoài, đưa vào nội địa "
        "hoặc vào khu phi thuế quan",
    ),
    Refusal(
        "invalid_purpose",
        "Goods brought into the inland must be for domestic sale, processing or machinery rental",
        "Hàng hóa đưa vào nội địa phải nhằm mục đích tiêu thụ nội địa, gia công hoặc thuê "
        "máy móc, thiết bị",
    ),
    Refusal(
        "not_for_inland",
        "These goods are on the list of goods that may not be brought from a bonded "
        "warehouse into the inland",
        "Hàng hóa thuộc danh mục không được đưa từ kho ngoại quan vào nội địa",
    ),
    Refusal(
        "same_owner",
        "The lot already belongs to that goods owner",
        "Lô hàng đã thuộc quyền sở hữu của chủ hàng này",
    ),
    Refusal(
        "lot_in_transit",
        "The lot is being moved between warehouses and has nothing on hand",
        "Lô hàng đang được di chuyển giữa các kho, không còn hàng tồn trong kho",
    ),
    Refusal(
        "same_warehouse",
        "The lot is already in that bonded warehouse",
        "Lô hàng đã ở tại kho ngoại quan này",
    ),
    Refusal(
        "not_in_transit",
        "The lot has nothing being moved to receive",
        "Lô hàng không có hàng đang di chuyển để tiếp nhận",
    ),
    Refusal(
        "handover_no_longer_whole",
        "A transfer or move recorded as the whole lot would no longer take all of it",
        "Việc chuyển quyền sở hữu hoặc di chuyển đã ghi nhận cho toàn bộ lô hàng sẽ không còn "
        "là toàn bộ lô hàng",
    ),
    Refusal(
        "lot_on_hold",
        "The lot is on a customs hold: it is not ex-warehoused, transferred, moved or "
        "liquidated until the hold is released",
        "Lô hàng đang bị hải quan tạm dừng: không được xuất kho, chuyển quyền sở hữu, di "
        "chuyển hay thanh lý cho đến khi hải quan cho tiếp tục",
    ),
    Refusal(
        "already_on_hold",
        "The lot is already on a customs hold; a lot is held once at a time",
        "Lô hàng hiện đã bị hải quan tạm dừng; mỗi lô hàng chỉ bị tạm dừng một lần tại một "
        "thời điểm",
    ),
    Refusal(
        "not_on_hold",
        "The lot is not on a customs hold",
        "Lô hàng không bị hải quan tạm dừng",
    ),
    # --- customs: extensions and liquidation -------------------------------------------------
    Refusal(
        "already_extended",
        "The time limit has already been extended as many times as the rules allow",
        "Thời hạn đã được gia hạn đủ số lần cho phép",
    ),
    Refusal("lot_closed", "The lot holds no goods", "Lô hàng không còn hàng tồn"),
    Refusal(
        "extension_too_long",
        "The extension goes past the longest storage time the rules allow",
        "Thời gian gia hạn vượt quá thời hạn lưu giữ tối đa được phép",
    ),
    Refusal(
        "not_overdue",
        "The lot is not yet overdue long enough to be liquidated",
        "Lô hàng chưa quá thời hạn lưu giữ đủ lâu để được thanh lý",
    ),
    # --- declarations: settlement ------------------------------------------------------------
    Refusal(
        "declaration_not_empty",
        "A declaration is settled only once every lot of it is empty",
        "Tờ khai chỉ được thanh khoản khi mọi lô hàng của tờ khai đã hết hàng tồn",
    ),
    Refusal(
        "already_settled",
        "The declaration is already settled",
        "Tờ khai đã được thanh khoản",
    ),
    # --- inspections and periodic reports ----------------------------------------------------
    Refusal(
        "no_counts",
        "A stock count names at least one lot",
        "Biên bản kiểm kê phải có ít nhất một lô hàng",
    ),
    Refusal("duplicate_lot", "A lot is counted twice", "Một lô hàng được kiểm kê hai lần"),
    Refusal(
        "lot_elsewhere",
        "The counted lot is in another bonded warehouse",
        "Lô hàng được kiểm kê đang ở kho ngoại quan khác",
    ),
    Refusal(
        "submission_backdated",
        "A report counts as submitted when it is recorded and cannot be dated earlier",
        "Báo cáo được tính là đã nộp khi ghi sổ, không được ghi lùi ngày nộp",
    ),
    Refusal(
        "invalid_period",
        "A reporting period is a half-year (2025-H1) or a quarter (2025-Q3)",
        "Kỳ báo cáo phải là nửa năm (2025-H1) hoặc quý (2025-Q3)",
    ),
    Refusal(
        "period_not_ended",
        "A period's report is submitted once the period has ended",
        "Báo cáo chỉ được nộp sau khi kỳ báo cáo kết thúc",
    ),
    Refusal(
        "period_before_goods",
        "No report is due for a period before the warehouse held goods",
        "Không phải nộp báo cáo cho kỳ trước khi kho có hàng",
    ),
    Refusal(
        "report_already_submitted",
        "The report for this period was already submitted; submit an amendment instead",
        "Báo cáo kỳ này đã được nộp; nếu cần sửa thì nộp báo cáo sửa đổi",
    ),
    Refusal(
        "nothing_to_amend",
        "No report was submitted for this period, so there is nothing to amend",
        "Chưa nộp báo cáo kỳ này nên không có báo cáo để sửa đổi",
    ),
    Refusal(
        "no_report_submitted",
        "No report was submitted for that warehouse and period",
        "Kho chưa nộp báo cáo cho kỳ này",
    ),
    Refusal(
        "report_mismatch",
        "A row of the report does not balance, so the report is not produced",
        "Một dòng của báo cáo không cân đối (tồn đầu kỳ cộng nhập trừ xuất khác tồn cuối kỳ) "
        "nên báo cáo không được lập",
    ),
    # --- reversals ---------------------------------------------------------------------------
    Refusal(
        "unknown_version",
        "The lot has no entry with that number",
        "Lô hàng không có bút toán mang số này",
    ),
    Refusal(
        "unknown_entry",
        "The lot has no such entry by that time",
        "Lô hàng không có bút toán này tại thời điểm đó",
    ),
    Refusal(
        "cannot_reverse_reversal",
        "A reversal cannot itself be reversed; record the fact anew",
        "Không được hủy một bút toán hủy; hãy ghi nhận lại nghiệp vụ",
    ),
    Refusal(
        "already_reversed",
        "The entry is already reversed",
        "Bút toán đã được hủy",
    ),
    Refusal(
        "declaration_settled",
        "The declaration is settled, so its lots can no longer be corrected",
        "Tờ khai đã được thanh khoản nên không được điều chỉnh các lô hàng của tờ khai",
    ),
    Refusal(
        "lot_has_later_entries",
        "Later entries on the lot must be reversed before the entry that created it",
        "Phải hủy các bút toán phát sinh sau trên lô hàng trước khi hủy bút toán tạo lô",
    ),
    Refusal(
        "split_child_moved_on",
        "The lot split off by this entry has entries of its own; reverse them first",
        "Lô hàng được tách ra từ bút toán này đã có bút toán phát sinh; phải hủy các bút "
        "toán đó trước",
    ),
    Refusal(
        "later_movements_depend_on_it",
        "Movements recorded later depend on this entry; reverse them first",
        "Có nghiệp vụ ghi nhận sau phụ thuộc vào bút toán này; phải hủy các nghiệp vụ đó trước",
    ),
    # --- e-commerce: goods lists, stop notices, licences, orders -----------------------------
    Refusal(
        "invalid_hs_prefix",
        "An HS prefix is 2 to 10 digits",
        "Tiền tố mã HS gồm 2 đến 10 chữ số",
    ),
    Refusal(
        "duplicate_hs_prefix",
        "An HS prefix is listed twice in the goods list",
        "Tiền tố mã HS bị trùng trong danh mục hàng hóa",
    ),
    Refusal(
        "duplicate_requirement",
        "An entry of the goods list names a requirement twice",
        "Một dòng của danh mục hàng hóa nêu trùng một yêu cầu",
    ),
    Refusal(
        "list_ref_used",
        "The goods list is already published",
        "Danh mục hàng hóa này đã được công bố",
    ),
    Refusal(
        "notice_ref_used",
        "The stop notice is already recorded",
        "Thông báo dừng miễn này đã được ghi nhận",
    ),
    Refusal(
        "unknown_notice",
        "No such stop notice was recorded",
        "Không có thông báo dừng miễn này trong sổ",
    ),
    Refusal(
        "notice_not_in_force",
        "The stop notice is no longer in force",
        "Thông báo dừng miễn không còn hiệu lực",
    ),
    Refusal(
        "resumed_before_stopped",
        "An exemption can be resumed only after its stop notice came into force",
        "Chỉ được áp dụng miễn trở lại sau thời điểm thông báo dừng miễn có hiệu lực",
    ),
    Refusal(
        "licence_exists",
        "The licence is already registered",
        "Giấy phép đã được đăng ký",
    ),
    Refusal(
        "unknown_licence",
        "The licence is not registered",
        "Giấy phép chưa được đăng ký",
    ),
    Refusal(
        "released_in_future",
        "A licence cannot be released after the moment it is recorded",
        "Thời điểm cấp giấy phép không được sau thời điểm ghi sổ",
    ),
    Refusal(
        "invalid_validity",
        "A licence's validity cannot end before it begins",
        "Ngày hết hiệu lực của giấy phép không được trước ngày bắt đầu hiệu lực",
    ),
    Refusal(
        "licence_revoked",
        "The licence is already revoked",
        "Giấy phép đã bị thu hồi",
    ),
    Refusal(
        "deduction_after_revocation",
        "Orders deducted from the licence at or after that moment still stand",
        "Đã có đơn hàng trừ lùi vào giấy phép từ thời điểm thu hồi trở về sau",
    ),
    Refusal(
        "order_no_used",
        "The order number is already recorded on that platform",
        "Số đơn hàng đã được ghi nhận trên sàn thương mại điện tử này",
    ),
    Refusal(
        "licence_kind_named_twice",
        "An order names one licence of each kind",
        "Mỗi đơn hàng chỉ nêu một giấy phép cho mỗi loại",
    ),
    Refusal(
        "licence_not_usable",
        "The licence named cannot be deducted for this order",
        "Giấy phép được nêu không đủ điều kiện để trừ lùi cho đơn hàng này",
    ),
    Refusal(
        "licence_required",
        "The order needs a valid licence with enough left to deduct these goods from",
        "Đơn hàng cần giấy phép còn hiệu lực và còn đủ số lượng để trừ lùi",
    ),
    # --- users, tokens, subscriptions, rights ------------------------------------------------
    Refusal("user_exists", "The user already exists", "Người dùng đã tồn tại"),
    Refusal("unknown_user", "No user has that name", "Không có người dùng mang tên này"),
    Refusal(
        "user_disabled",
        "The user is disabled",
        "Tài khoản người dùng đã bị vô hiệu hóa",
    ),
    Refusal(
        "not_your_own",
        "A user may do this for their own account only",
        "Người dùng chỉ được thực hiện việc này cho tài khoản của chính mình",
    ),
    Refusal(
        "role_not_allowed",
        "Your role may not do this",
        "Vai trò của bạn không được phép thực hiện việc này",
    ),
    Refusal(
        "outside_scope",
        "This is outside the warehouses, province or goods your role covers",
        "Việc này nằm ngoài phạm vi kho, tỉnh hoặc hàng hóa thuộc quyền của bạn",
    ),
    Refusal(
        "missing_token",
        "The request carries no access token",
        "Yêu cầu không kèm mã truy cập (token)",
    ),
    Refusal(
        "invalid_token",
        "The access token is not valid",
        "Mã truy cập (token) không hợp lệ",
    ),
    Refusal(
        "subscription_exists",
        "The warning subscription already exists",
        "Đăng ký nhận cảnh báo đã tồn tại",
    ),
    Refusal(
        "unknown_subscription",
        "No such warning subscription",
        "Không có đăng ký nhận cảnh báo này",
    ),
    Refusal(
        "invalid_subscription",
        "The warning subscription is not valid",
        "Đăng ký nhận cảnh báo không hợp lệ",
    ),
    Refusal(
        "destination_not_allowed",
        "The subscription's URL leads to an address this installation does not send to",
        "Địa chỉ URL đăng ký dẫn tới nơi mà hệ thống không được phép gửi tới",
    ),
    # --- questions: names, dates and parameters ----------------------------------------------
    Refusal(
        "unknown_province",
        "No bonded warehouse is registered in that province",
        "Không có kho ngoại quan nào được đăng ký tại tỉnh, thành phố này",
    ),
    Refusal(
        "unknown_office",
        "No customs office of that name manages a bonded warehouse",
        "Không có chi cục hải quan nào mang tên này quản lý kho ngoại quan",
    ),
    Refusal(
        "unknown_owner",
        "No goods owner has that tax code",
        "Không có chủ hàng nào mang mã số thuế này",
    ),
    Refusal("unknown_kind", "No warning is of that kind", "Không có loại cảnh báo này"),
    Refusal(
        "unknown_status",
        "No declaration's settlement stands so",
        "Không có trạng thái thanh khoản tờ khai nào như vậy",
    ),
    Refusal("unknown_rule_pack", "No rule pack has that name", "Không có bộ quy tắc mang tên này"),
    Refusal(
        "not_yet_replicated",
        "The replica answering questions has not yet reached that position: ask again shortly",
        "Bản sao trả lời câu hỏi chưa cập nhật tới vị trí này: hãy hỏi lại sau giây lát",
    ),
    Refusal(
        "position_beyond_head",
        "The event log does not reach that position: read the feed again from 0",
        "Nhật ký sự kiện không có vị trí này: hãy đọc lại luồng sự kiện từ vị trí 0",
    ),
    Refusal("invalid_date", "The date is not valid", "Ngày không hợp lệ"),
    Refusal("invalid_moment", "The moment is not valid", "Thời điểm không hợp lệ"),
    Refusal("invalid_year", "The year is not valid", "Năm không hợp lệ"),
    Refusal("year_not_begun", "The year has not begun", "Năm này chưa bắt đầu"),
    Refusal("invalid_province", "The province is not valid", "Tỉnh, thành phố không hợp lệ"),
    Refusal("invalid_warehouse", "The warehouse code is not valid", "Mã kho không hợp lệ"),
    Refusal(
        "missing_province",
        "An inspection pack needs a province",
        "Cần chọn tỉnh, thành phố để lập hồ sơ kiểm tra",
    ),
    Refusal(
        "missing_year",
        "An inspection pack needs a year",
        "Cần chọn năm để lập hồ sơ kiểm tra",
    ),
    Refusal(
        "pack_not_built",
        "The server is busy building other inspection packs; ask again",
        "Máy chủ đang bận lập các hồ sơ kiểm tra khác; hãy thử lại",
    ),
    Refusal(
        "invalid_parameter",
        "A parameter of the request is not valid",
        "Tham số của yêu cầu không hợp lệ",
    ),
    Refusal(
        "repeated_parameter",
        "A parameter is given more than once",
        "Một tham số được truyền nhiều lần",
    ),
    Refusal(
        "unknown_parameter",
        "This address takes no such parameter",
        "Địa chỉ này không nhận tham số này",
    ),
    # --- commands as sent: JSON, a batch, a spreadsheet, a form ------------------------------
    Refusal(
        "invalid_command",
        "The command does not have the shape its vocabulary requires",
        "Lệnh không đúng khuôn dạng quy định",
    ),
    Refusal(
        "unknown_command",
        "No command has that name",
        "Không có lệnh mang tên này",
    ),
    Refusal(
        "command_mismatch",
        "The body names another command than the address it is sent to",
        "Lệnh trong nội dung khác với lệnh của địa chỉ nhận",
    ),
    Refusal(
        "command_id_mismatch",
        "The Idempotency-Key header and the command's command_id differ",
        "Tiêu đề Idempotency-Key và command_id của lệnh không khớp nhau",
    ),
    Refusal(
        "command_id_reused",
        "The command id was already used for a different command",
        "Mã lệnh (command_id) đã được dùng cho một lệnh khác",
    ),
    Refusal(
        "concurrent_writes",
        "Too many writers at once: nothing was recorded; try again",
        "Có quá nhiều thao tác ghi cùng lúc nên chưa ghi nhận gì; hãy thử lại",
    ),
    Refusal("line_too_long", "The command is too long", "Lệnh vượt quá độ dài cho phép"),
    Refusal("invalid_encoding", "The text is not UTF-8", "Nội dung không được mã hóa UTF-8"),
    Refusal("invalid_json", "The text is not valid JSON", "Nội dung không phải JSON hợp lệ"),
    Refusal(
        "invalid_batch",
        "A batch is a JSON array of commands, or JSON Lines",
        "Lô lệnh phải là một mảng JSON các lệnh, hoặc JSON Lines",
    ),
    Refusal(
        "too_many_commands",
        "The batch has more commands than allowed",
        "Lô lệnh có nhiều lệnh hơn mức cho phép",
    ),
    Refusal(
        "invalid_spreadsheet",
        "The file is not a spreadsheet of commands",
        "Tệp không phải bảng tính lệnh hợp lệ",
    ),
    Refusal(
        "csrf",
        "The form had expired: it was not recorded; send it again",
        "Biểu mẫu đã hết hạn nên chưa được ghi nhận; hãy gửi lại",
    ),
    # --- HTTP -------------------------------------------------------------------------------
    Refusal(
        "body_too_large",
        "The request's body is larger than allowed",
        "Nội dung yêu cầu vượt quá kích thước cho phép",
    ),
    Refusal(
        "malformed_request",
        "The request is not valid HTTP/1.1",
        "Yêu cầu không phải HTTP/1.1 hợp lệ",
    ),
    Refusal("uri_too_long", "The URL is too long", "Địa chỉ URL quá dài"),
    Refusal(
        "header_fields_too_large",
        "The request's headers are too large",
        "Phần tiêu đề của yêu cầu quá lớn",
    ),
    Refusal("not_found", "Nothing is at this address", "Không có nội dung tại địa chỉ này"),
    Refusal(
        "method_not_allowed",
        "This address does not take that method",
        "Địa chỉ này không nhận phương thức yêu cầu đó",
    ),
    Refusal(
        "not_acceptable",
        "No answer is available in the format asked for",
        "Không có câu trả lời theo định dạng được yêu cầu",
    ),
    Refusal("http_error", "The request could not be answered", "Không thể trả lời yêu cầu"),
    Refusal(
        "database_unavailable",
        "The database does not answer: nothing can be recorded or read now",
        "Cơ sở dữ liệu không phản hồi: hiện không thể ghi hay đọc",
    ),
    Refusal(
        "internal_error",
        "The server failed to answer",
        "Máy chủ gặp lỗi khi trả lời",
    ),
)

REFUSALS: Mapping[str, Refusal] = {refusal.code: refusal for refusal in _ALL}
assert len(REFUSALS) == len(_ALL), "a code declared twice"

LANGUAGES = ("en", "vi")


def rule(code: str, language: str) -> str | None:
    """The rule ``code`` stands for, in ``language``; None for a code not catalogued."""
    found = REFUSALS.get(code)
    if found is None:
        return None
    return found.vi if language == "vi" else found.en


def localized(error: LedgerError, language: str) -> str:
    """A refusal told in ``language`` (``vi`` or ``en``). In English: its message as raised.
    In Vietnamese: the rule's sentence, then each field refused for its shape, or the
    specifics (``(the ex-warehousing of 101 … which is 100 then)``) — those in Vietnamese
    when they are a check's own message, else as raised."""
    if language != "vi":
        return error.message
    sentence = rule(error.code, "vi")
    if error.field_problems:
        fields = "; ".join(_field_text(problem, "vi") for problem in error.field_problems)
        return f"{sentence}: {fields}" if sentence else fields
    if sentence is None:
        return error.message
    if _plain(error.message) == _plain(REFUSALS[error.code].en):
        return sentence
    told = specifics_vi(error.code, error.message)
    return f"{sentence} ({told or specifics(error.message, 'vi')})"


def specifics(message: str, language: str) -> str:
    """A refusal's English specifics, in Vietnamese when the message is one of the checks'
    own (``as_of: '2026/13/01' is not a date YYYY-MM-DD``), else as they are."""
    if language != "vi":
        return message
    told = _value_error_vi(message)
    if told is not None:
        return told
    named = re.fullmatch(r"([\w./\[\]-]{1,80}): (.+)", message, re.DOTALL)
    if named:
        told = _value_error_vi(named[2])
        if told is not None:
            return f"{named[1]}: {told}"
    return message


def _plain(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text).strip().casefold()


def _field_text(problem: FieldProblem, language: str) -> str:
    text = problem_text(problem, language)
    return f"{problem.field}: {text}" if problem.field else text


# --- pydantic's own errors ----------------------------------------------------------------------

# Vietnamese for each of pydantic's error types a request can meet, over the error's context
# (``{gt}``, ``{max_length}``…); numbers in the Vietnamese format. A type not here is told as
# "giá trị không hợp lệ" with pydantic's English in parentheses.
VALIDATION: Mapping[str, str] = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường này không được phép có",
    "greater_than": "phải lớn hơn {gt}",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than": "phải nhỏ hơn {lt}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "multiple_of": "phải là bội số của {multiple_of}",
    "finite_number": "phải là một số hữu hạn",
    "string_type": "phải là một chuỗi ký tự",
    "string_unicode": "phải là chuỗi ký tự Unicode hợp lệ",
    "string_too_short": "phải dài ít nhất {min_length} ký tự",
    "string_too_long": "dài tối đa {max_length} ký tự",
    "string_pattern_mismatch": "không đúng khuôn dạng quy định ({pattern})",
    "string_not_ascii": "chỉ được gồm ký tự ASCII",
    "int_type": "phải là một số nguyên",
    "int_parsing": "phải là một số nguyên",
    "int_parsing_size": "số nguyên quá lớn",
    "int_from_float": "phải là một số nguyên, không có phần thập phân",
    "float_type": "phải là một số",
    "float_parsing": "phải là một số",
    "decimal_type": "phải là một số",
    "decimal_parsing": "phải là một số thập phân hợp lệ",
    "decimal_max_places": "có tối đa {decimal_places} chữ số thập phân",
    "decimal_max_digits": "có tối đa {max_digits} chữ số",
    "decimal_whole_digits": "có tối đa {whole_digits} chữ số ở phần nguyên",
    "bool_type": "phải là đúng hoặc sai (true/false)",
    "bool_parsing": "phải là đúng hoặc sai (true/false)",
    "date_type": "phải là một ngày hợp lệ",
    "date_parsing": "phải là một ngày hợp lệ dạng YYYY-MM-DD",
    "date_from_datetime_parsing": "phải là một ngày hợp lệ dạng YYYY-MM-DD",
    "date_from_datetime_inexact": "phải là một ngày, không kèm giờ",
    "datetime_type": "phải là ngày giờ hợp lệ theo ISO 8601",
    "datetime_parsing": "phải là ngày giờ hợp lệ theo ISO 8601",
    "datetime_from_date_parsing": "phải là ngày giờ hợp lệ theo ISO 8601",
    "timezone_aware": "phải kèm độ lệch so với UTC",
    "timezone_naive": "không được kèm độ lệch so với UTC",
    "literal_error": "phải là một trong các giá trị {expected}",
    "enum": "phải là một trong các giá trị {expected}",
    "list_type": "phải là một danh sách",
    "too_short": "phải có ít nhất {min_length} mục",
    "too_long": "có tối đa {max_length} mục",
    "dict_type": "phải là một đối tượng JSON",
    "model_type": "phải là một đối tượng JSON",
    "model_attributes_type": "phải là một đối tượng JSON",
    "union_tag_invalid": "{tag} không được chấp nhận; phải là một trong {expected_tags}",
    "union_tag_not_found": "thiếu trường {discriminator}",
    "json_invalid": "không phải JSON hợp lệ",
    "none_required": "phải để trống",
    "url_type": "phải là một URL hợp lệ",
    "url_parsing": "phải là một URL hợp lệ",
    "uuid_type": "phải là một UUID hợp lệ",
    "uuid_parsing": "phải là một UUID hợp lệ",
}

# The reasons pydantic gives (from speedate) why a date or a date-time could not be read.
_TIME_REASONS: Mapping[str, str] = {
    "input is too short": "quá ngắn",
    "input is too long": "quá dài",
    "invalid character in year": "năm có ký tự không hợp lệ",
    "invalid character in month": "tháng có ký tự không hợp lệ",
    "invalid character in day": "ngày có ký tự không hợp lệ",
    "invalid character in hour": "giờ có ký tự không hợp lệ",
    "invalid character in minute": "phút có ký tự không hợp lệ",
    "invalid character in second": "giây có ký tự không hợp lệ",
    "invalid date separator, expected `-`": "dấu phân cách ngày phải là `-`",
    "invalid time separator, expected `:`": "dấu phân cách giờ phải là `:`",
    "month value is outside expected range of 1-12": "tháng phải từ 1 đến 12",
    "day value is outside expected range": "ngày không có trong tháng",
    "hour value is outside expected range of 0-23": "giờ phải từ 0 đến 23",
    "minute value is outside expected range of 0-59": "phút phải từ 0 đến 59",
    "second value is outside expected range of 0-59": "giây phải từ 0 đến 59",
    "unexpected extra characters at the end of the input": "có ký tự thừa ở cuối",
    "input contains invalid characters": "có ký tự không hợp lệ",
    "invalid timezone sign": "dấu của độ lệch múi giờ không hợp lệ",
}


def problem_text(problem: FieldProblem, language: str) -> str:
    """One field's problem in ``language``: in English the validator's message; in
    Vietnamese the type's template over its context, a product check's own message in
    Vietnamese, or pydantic's English in parentheses for a type the table lacks."""
    if language != "vi":
        return problem.message
    if problem.kind in ("value_error", "assertion_error"):
        return _value_error_vi(problem.message) or f"giá trị không hợp lệ ({problem.message})"
    template = VALIDATION.get(problem.kind)
    if template is None:
        return f"giá trị không hợp lệ ({problem.message})"
    context = {key: _shown(key, value) for key, value in problem.context.items()}
    try:
        text = template.format(**context)
    except (KeyError, IndexError, ValueError):
        return f"giá trị không hợp lệ ({problem.message})"
    reason = str(problem.context.get("error", ""))
    if reason and problem.kind.endswith("_parsing") and problem.kind.startswith(("date", "time")):
        text += f": {_TIME_REASONS.get(reason, reason)}"
    return text


def _shown(key: str, value: Any) -> str:
    """A context value as the Vietnamese template shows it."""
    if key in ("expected", "expected_tags"):
        return re.sub(r" or ", " hoặc ", str(value))
    return _number(value)


def _number(value: Any) -> str:
    """``1e12`` as ``1.000.000.000.000``, ``0.5`` as ``0,5``: Vietnamese grouping, from five
    digits on (a year, ``1990``, stays as it is written); what is not a number as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    try:
        text = format(Decimal(str(value)).normalize(), "f")
    except InvalidOperation:
        return str(value)
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", ".") if len(whole) > 4 else whole
    return sign + grouped + ("," + fraction if fraction else "")


# --- the product's own checks (ValueError) ------------------------------------------------------

# The messages of the product's validators (ledger/calendar.py, ledger/periods.py,
# ledger/codes.py, commands/models.py, ledger/inspection.py), matched whole, in Vietnamese.
# Not here: commands/destinations.py's (a subscription's URL; told with their rule's sentence,
# in English), and messages that never reach a user (projections/exact.py, tables.py, bulk.py).
_RANGE = r"between (?P<a>\S+) and (?P<b>\S+)"
VALUE_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), vi)
    for pattern, vi in (
        (
            rf"period (?P<p>.+) is outside the dates the ledger takes: {_RANGE}",
            "kỳ {p} nằm ngoài khoảng ngày sổ nhận: từ {a} đến {b}",
        ),
        (
            rf"(?P<day>\S+) is outside the dates the ledger takes: {_RANGE}",
            "ngày {day} nằm ngoài khoảng ngày sổ nhận: từ {a} đến {b}",
        ),
        (r"(?P<text>.+) is not a date YYYY-MM-DD", "{text} không phải là ngày dạng YYYY-MM-DD"),
        (
            r"a date-time needs its UTC offset, e\.g\. (?P<e>\S+)",
            "ngày giờ phải kèm độ lệch so với UTC, ví dụ {e}",
        ),
        (
            r"a UTC offset lies between (?P<a>\S+) and (?P<b>\S+)",
            "độ lệch so với UTC phải trong khoảng {a} đến {b}",
        ),
        (
            r"expected a date \(YYYY-MM-DD\) or an ISO 8601 date-time",
            "phải là một ngày (YYYY-MM-DD) hoặc ngày giờ theo ISO 8601",
        ),
        (
            r"a date YYYY-MM-DD or an ISO 8601 date-time as a string, never a number",
            "phải là một ngày YYYY-MM-DD hoặc ngày giờ ISO 8601 dạng chuỗi, không phải một số",
        ),
        (
            r"a date YYYY-MM-DD as a string, never a number",
            "phải là một ngày YYYY-MM-DD dạng chuỗi, không phải một số",
        ),
        (
            r"period (?P<p>.+) must be a half-year \(2025-H1\) or a quarter \(2025-Q3\)",
            "kỳ {p} phải là nửa năm (2025-H1) hoặc quý (2025-Q3)",
        ),
        (r"an HS code is 4 to 10 digits, digits only", "mã HS gồm 4 đến 10 chữ số, chỉ chữ số"),
        (
            r"must not contain the control or formatting character (?P<c>U\+[0-9A-F]+)",
            "không được chứa ký tự điều khiển hoặc ký tự định dạng ẩn {c}",
        ),
        (
            r"(?P<v>.+) is not an ISO 3166 alpha-2 country code",
            "{v} không phải mã quốc gia ISO 3166 alpha-2",
        ),
        (r"(?P<v>.+) is not an ISO 4217 currency code", "{v} không phải mã tiền tệ ISO 4217"),
        (
            r"(?P<v>.+) is not a valid Vietnamese tax code \(MST\): (?P<why>.+)",
            "{v} không phải mã số thuế (MST) Việt Nam hợp lệ: {why}",
        ),
        (
            r"year (?P<y>\S+) has not begun \(today is (?P<t>\S+)\)",
            "năm {y} chưa bắt đầu (hôm nay là {t})",
        ),
    )
)

# python-stdnum's reasons a tax code (MST) fails its check.
_TAX_CODE_REASONS: Mapping[str, str] = {
    "The number has an invalid format.": "khuôn dạng không đúng",
    "The number's checksum or check digit is invalid.": "chữ số kiểm tra không đúng",
    "The number has an invalid length.": "độ dài không đúng",
    "One of the parts of the number are invalid or unknown.": "một phần của mã không hợp lệ",
}


def value_error_text(message: str, language: str) -> str:
    """A product check's ``ValueError`` message in ``language``; as it is if not known."""
    if language != "vi":
        return message
    return _value_error_vi(message) or message


def _value_error_vi(message: str) -> str | None:
    message = message.removeprefix("Value error, ")
    for pattern, vi in VALUE_ERRORS:
        found = pattern.fullmatch(message)
        if found:
            parts = found.groupdict()
            if "why" in parts:
                parts["why"] = _TAX_CODE_REASONS.get(parts["why"], parts["why"])
            return vi.format(**parts)
    return None
