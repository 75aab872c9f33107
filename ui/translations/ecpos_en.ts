<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>Agent</name>
    <message>
        <location filename="../qt_agent.py" line="0"/>
        <source>HIS 接口未启动：%1</source>
        <translation>HIS interface not started: %1</translation>
    </message>
    <message>
        <location filename="../qt_agent.py" line="42"/>
        <location filename="../qt_agent.py" line="54"/>
        <location filename="../qt_agent.py" line="59"/>
        <source>HIS 账单 %1：%2</source>
        <translation>HIS bill %1: %2</translation>
    </message>
    <message>
        <location filename="../qt_agent.py" line="45"/>
        <source>HIS 推送账单 %1（合计 %2 元）：请患者出示医保码</source>
        <translation>HIS pushed bill %1 (total ¥%2): ask the patient for the e-credential</translation>
    </message>
    <message>
        <location filename="../qt_agent.py" line="48"/>
        <source>HIS 账单 %1 已预结算：合计 %2 元，个人现金 %3 元，等待 HIS 确认</source>
        <translation>HIS bill %1 pre-settled: total ¥%2, cash ¥%3, waiting for the HIS to confirm</translation>
    </message>
    <message>
        <location filename="../qt_agent.py" line="52"/>
        <source>HIS 账单 %1 已结算</source>
        <translation>HIS bill %1 settled</translation>
    </message>
    <message>
        <location filename="../qt_agent.py" line="57"/>
        <source>HIS 账单 %1 已取消</source>
        <translation>HIS bill %1 cancelled</translation>
    </message>
</context>
<context>
    <name>BusyPage</name>
    <message>
        <location filename="../views/qt_kiosk_pages.py" line="58"/>
        <source>请稍候，不要离开</source>
        <translation>Please wait, do not leave</translation>
    </message>
</context>
<context>
    <name>ConfirmPage</name>
    <message>
        <location filename="../views/qt_kiosk_pages.py" line="72"/>
        <source>请选择就诊科室</source>
        <translation>Choose a department</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_pages.py" line="87"/>
        <source>确认缴费</source>
        <translation>Confirm and pay</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_pages.py" line="89"/>
        <source>返回首页</source>
        <translation>Back to start</translation>
    </message>
</context>
<context>
    <name>Fields</name>
    <message>
        <location filename="../views/qt_record_view.py" line="79"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="79"/>
        <source>笔数</source>
        <translation>Count</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="79"/>
        <location filename="../views/qt_record_view.py" line="89"/>
        <source>结算笔数</source>
        <translation>Settlements</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="80"/>
        <source>费用合计</source>
        <translation>Total</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="80"/>
        <source>统筹基金</source>
        <translation>Fund</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="80"/>
        <source>个人账户</source>
        <translation>Personal account</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="81"/>
        <source>现金</source>
        <translation>Cash</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="81"/>
        <location filename="../views/qt_record_view.py" line="86"/>
        <source>对账结果</source>
        <translation>Result</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="81"/>
        <source>一致</source>
        <translation>Matched</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="81"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="82"/>
        <source>退费笔数</source>
        <translation>Refunds</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="82"/>
        <source>退费金额</source>
        <translation>Refunded</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="82"/>
        <location filename="../views/qt_record_view.py" line="83"/>
        <source>凭证类型</source>
        <translation>Credential</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="83"/>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="83"/>
        <source>医保码笔数</source>
        <translation>E-credential count</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="84"/>
        <source>总笔数</source>
        <translation>Total count</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="84"/>
        <source>医保码结算率</source>
        <translation>E-credential rate</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="84"/>
        <source>结算率</source>
        <translation>Rate</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="85"/>
        <source>目标</source>
        <translation>Target</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="85"/>
        <source>起始</source>
        <translation>From</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="85"/>
        <source>截止</source>
        <translation>To</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="85"/>
        <source>说明</source>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="86"/>
        <source>对账说明</source>
        <translation>Remark</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="86"/>
        <source>平台</source>
        <translation>Platform</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="87"/>
        <source>本地</source>
        <translation>Local</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="87"/>
        <source>差额</source>
        <translation>Difference</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="87"/>
        <source>待确认</source>
        <translation>Unconfirmed</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="88"/>
        <source>待退费</source>
        <translation>Refunds queued</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="88"/>
        <source>结果待确认</source>
        <translation>Outcome unknown</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="88"/>
        <source>操作员</source>
        <translation>Operator</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="89"/>
        <source>医保电子凭证(01)</source>
        <translation>E-credential (01)</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="89"/>
        <source>身份证(02)</source>
        <translation>ID card (02)</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="90"/>
        <source>社保卡(03)</source>
        <translation>SSC card (03)</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="90"/>
        <source>是否达标</source>
        <translation>Target met</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="92"/>
        <source>应扫码药盒</source>
        <translation>Boxes to scan</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="92"/>
        <source>已扫码药盒</source>
        <translation>Boxes scanned</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="93"/>
        <source>追溯码采集率</source>
        <translation>Trace-code rate</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="93"/>
        <source>追溯码已上报</source>
        <translation>Codes reported</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="94"/>
        <source>追溯码待上报</source>
        <translation>Codes pending</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="94"/>
        <source>追溯码被拒</source>
        <translation>Codes refused</translation>
    </message>
</context>
<context>
    <name>GuidePage</name>
    <message>
        <location filename="../views/qt_kiosk_pages.py" line="122"/>
        <source>我知道了，返回首页</source>
        <translation>Got it, back to start</translation>
    </message>
    <message>
        <source>自费挂号</source>
        <translation>Self-pay registration</translation>
    </message>
</context>
<context>
    <name>Kiosk</name>
    <message>
        <location filename="../kiosk_words.py" line="12"/>
        <source>暂停服务，请到人工窗口</source>
        <translation>Out of service: please go to a staffed counter</translation>
    </message>
    <message>
        <location filename="../kiosk_words.py" line="18"/>
        <source>缴费结果待确认，请勿重复缴费，请到人工窗口办理</source>
        <translation>Payment outcome pending: do not pay again, please go to a staffed counter</translation>
    </message>
    <message>
        <location filename="../kiosk_words.py" line="22"/>
        <source>暂时无法办理，请到人工窗口</source>
        <translation>We cannot serve you right now: please go to a staffed counter</translation>
    </message>
</context>
<context>
    <name>QtActivationGuide</name>
    <message>
        <location filename="../widgets/qt_activation_guide.py" line="32"/>
        <source>国家医保服务平台APP</source>
        <translation>National Healthcare Security app</translation>
    </message>
    <message>
        <location filename="../widgets/qt_activation_guide.py" line="33"/>
        <source>在手机应用市场搜索“国家医保服务平台”下载，注册登录后，在首页点击“医保电子凭证”，按提示激活。</source>
        <translation>Search the app store for &quot;国家医保服务平台&quot; (National Healthcare Security Service Platform), install, register and sign in, tap &quot;医保电子凭证&quot; on the home page and follow the steps.</translation>
    </message>
    <message>
        <location filename="../widgets/qt_activation_guide.py" line="34"/>
        <source>微信</source>
        <translation>WeChat</translation>
    </message>
    <message>
        <location filename="../widgets/qt_activation_guide.py" line="35"/>
        <source>微信“我”→“城市服务”→“更多”→“医保电子凭证”，按要求验证激活；也可搜一搜“我的医保”公众号。</source>
        <translation>WeChat &quot;Me&quot; → &quot;City services&quot; → &quot;More&quot; → &quot;医保电子凭证&quot;, verify and activate; or search the &quot;我的医保&quot; official account.</translation>
    </message>
    <message>
        <location filename="../widgets/qt_activation_guide.py" line="36"/>
        <source>支付宝</source>
        <translation>Alipay</translation>
    </message>
    <message>
        <location filename="../widgets/qt_activation_guide.py" line="37"/>
        <source>在支付宝首页搜索“医保电子凭证”→同意领取→刷脸认证后激活，凭证放入“卡包”。</source>
        <translation>Search &quot;医保电子凭证&quot; on the Alipay home page → agree to claim → activate with face verification; it goes into your card wallet.</translation>
    </message>
    <message>
        <location filename="../widgets/qt_activation_guide.py" line="38"/>
        <source>银行APP</source>
        <translation>Bank apps</translation>
    </message>
    <message>
        <location filename="../widgets/qt_activation_guide.py" line="39"/>
        <source>医保电子凭证合作银行的手机银行APP（如工行、农行、中信银行）中搜索“医保电子凭证”激活。</source>
        <translation>In a partner bank&apos;s mobile app (e.g. ICBC, ABC, CITIC) search &quot;医保电子凭证&quot; and activate.</translation>
    </message>
    <message>
        <location filename="../widgets/qt_activation_guide.py" line="60"/>
        <source>为老人、孩子激活：在国家医保服务平台APP“我的”→“我的家庭成员”中添加亲情账户，一部手机最多可绑定5位家庭成员，并可为其出示医保码。</source>
        <translation>For elders and children: in the national app, &quot;Me&quot; → &quot;My family members&quot;, add a family account; one phone can bind up to 5 family members and show their codes.</translation>
    </message>
    <message>
        <location filename="../widgets/qt_activation_guide.py" line="65"/>
        <source>先激活后缴费 · 先医保电子凭证后医保卡</source>
        <translation>Activate first, then pay · e-credential before the card</translation>
    </message>
    <message>
        <location filename="../widgets/qt_activation_guide.py" line="75"/>
        <source>已激活，但未查询到有效参保记录</source>
        <translation>Activated, but no valid insurance record was found</translation>
    </message>
    <message>
        <location filename="../widgets/qt_activation_guide.py" line="76"/>
        <source>请先到参保地医保经办机构或通过国家医保服务平台APP查询参保状态、办理参保缴费；本次可选择自费结算。</source>
        <translation>Check your insurance status or enrol at your insurance office or in the national app; this time you may pay yourself.</translation>
    </message>
    <message>
        <location filename="../widgets/qt_activation_guide.py" line="79"/>
        <source>您的医保电子凭证尚未激活，请先激活后使用</source>
        <translation>Your medical-insurance e-credential is not activated yet: activate it first</translation>
    </message>
    <message>
        <location filename="../widgets/qt_activation_guide.py" line="80"/>
        <source>激活只需1分钟，任选以下一种方式，激活后刷新医保码再扫一次。</source>
        <translation>It takes a minute: use any one of these, then refresh the code and scan again.</translation>
    </message>
</context>
<context>
    <name>QtBillTable</name>
    <message>
        <location filename="../widgets/qt_bill_table.py" line="31"/>
        <source>编码</source>
        <translation>Code</translation>
    </message>
    <message>
        <location filename="../widgets/qt_bill_table.py" line="31"/>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../widgets/qt_bill_table.py" line="31"/>
        <source>数量</source>
        <translation>Qty</translation>
    </message>
    <message>
        <location filename="../widgets/qt_bill_table.py" line="32"/>
        <source>单价</source>
        <translation>Price</translation>
    </message>
    <message>
        <location filename="../widgets/qt_bill_table.py" line="32"/>
        <source>金额</source>
        <translation>Amount</translation>
    </message>
    <message>
        <location filename="../widgets/qt_bill_table.py" line="32"/>
        <source>追溯码</source>
        <translation>Trace codes</translation>
    </message>
</context>
<context>
    <name>QtCardDialog</name>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="190"/>
        <source>医保卡 / 身份证</source>
        <translation>Insurance card / ID card</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="195"/>
        <source>身份证（02）</source>
        <translation>ID card (02)</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="196"/>
        <source>社会保障卡（03）</source>
        <translation>Social-security card (03)</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="200"/>
        <source>证件类型</source>
        <translation>Card type</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="201"/>
        <source>证件号码</source>
        <translation>Card number</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="208"/>
        <source>读卡</source>
        <translation>Read card</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="219"/>
        <source>读卡失败，请手工输入证件号码：%1</source>
        <translation>The card could not be read: type the number instead: %1</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="227"/>
        <source>请输入证件号码</source>
        <translation>Type the card number</translation>
    </message>
</context>
<context>
    <name>QtClinicView</name>
    <message>
        <location filename="../views/qt_clinic_view.py" line="30"/>
        <location filename="../views/qt_clinic_view.py" line="51"/>
        <source>挂号</source>
        <translation>Register</translation>
    </message>
    <message>
        <location filename="../views/qt_clinic_view.py" line="43"/>
        <source>科室</source>
        <translation>Department</translation>
    </message>
    <message>
        <location filename="../views/qt_clinic_view.py" line="44"/>
        <source>医生</source>
        <translation>Doctor</translation>
    </message>
    <message>
        <location filename="../views/qt_clinic_view.py" line="46"/>
        <location filename="../views/qt_clinic_view.py" line="154"/>
        <source>未挂号</source>
        <translation>Not registered</translation>
    </message>
    <message>
        <location filename="../views/qt_clinic_view.py" line="52"/>
        <source>撤销就诊</source>
        <translation>Undo visit</translation>
    </message>
    <message>
        <location filename="../views/qt_clinic_view.py" line="81"/>
        <source>已预结算，费用已上传；如需修改请撤销就诊 [F11] 后重新挂号</source>
        <translation>Pre-settled and the fees are uploaded: to change them undo the visit [F11] and register again</translation>
    </message>
    <message>
        <location filename="../views/qt_clinic_view.py" line="105"/>
        <source>输入收费项目编码（诊疗项目或药品）后回车添加；空行回车＝结算</source>
        <translation>Service or drug code + Enter adds; Enter on an empty line settles</translation>
    </message>
    <message>
        <location filename="../views/qt_clinic_view.py" line="109"/>
        <source>已识别参保人 %1，请选择科室和医生后挂号 [F10]</source>
        <translation>Identified %1: choose department and doctor, then register [F10]</translation>
    </message>
    <message>
        <location filename="../views/qt_clinic_view.py" line="118"/>
        <source>请选择科室和医生</source>
        <translation>Choose a department and a doctor</translation>
    </message>
    <message>
        <location filename="../views/qt_clinic_view.py" line="127"/>
        <source>已挂号：%1 · %2 · 就诊ID %3</source>
        <translation>Registered: %1 · %2 · visit %3</translation>
    </message>
    <message>
        <location filename="../views/qt_clinic_view.py" line="129"/>
        <source>挂号成功，请添加费用后预结算 [F5]</source>
        <translation>Registered: add the fees, then pre-settle [F5]</translation>
    </message>
    <message>
        <location filename="../views/qt_clinic_view.py" line="143"/>
        <location filename="../views/qt_clinic_view.py" line="144"/>
        <source>就诊已撤销</source>
        <translation>Visit undone</translation>
    </message>
</context>
<context>
    <name>QtCounterFeatures</name>
    <message>
        <source>挂单</source>
        <translation>Hold</translation>
    </message>
    <message>
        <source>取单</source>
        <translation>Recall</translation>
    </message>
    <message>
        <source>已挂单 #%1：请接待下一位，按 Ctrl+H 取单</source>
        <translation>Bill held as #%1: serve the next customer; Ctrl+H recalls it</translation>
    </message>
    <message>
        <source>请先挂单（Ctrl+G）或完成当前这一单，再取单</source>
        <translation>Hold (Ctrl+G) or finish the bill on the counter before recalling another</translation>
    </message>
    <message>
        <source>没有挂单</source>
        <translation>No held bills</translation>
    </message>
    <message>
        <source>追溯码 %1 未取回：%2</source>
        <translation>Traceability code %1 not recalled: %2</translation>
    </message>
    <message>
        <source>已取单：参保人 %1，请按 F5 预结算</source>
        <translation>Bill recalled: patient %1; press F5 to pre-settle</translation>
    </message>
    <message>
        <source>已取单：请参保人出示医保码后按 F5 预结算</source>
        <translation>Bill recalled: ask the patient for the e-credential, then press F5</translation>
    </message>
    <message>
        <source>折后实收 ¥%1，医保单价不变</source>
        <translation>To pay after discount ¥%1; insurance prices unchanged</translation>
    </message>
    <message>
        <source>主管 %1 已减免 ¥%2，请收 ¥%3（折扣仅减少现金部分，上传医保的单价不变）</source>
        <translation>Supervisor %1 took ¥%2 off: collect ¥%3 (a discount lowers only the cash part; the prices sent to the insurance platform stay the same)</translation>
    </message>
</context>
<context>
    <name>QtDayCloseView</name>
    <message>
        <location filename="../views/qt_day_close_view.py" line="30"/>
        <source>对账日期</source>
        <translation>Day</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="35"/>
        <source>对账</source>
        <translation>Reconcile</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="36"/>
        <source>打印日结单</source>
        <translation>Print day close</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="42"/>
        <source>选择日期后按 F6 对账：本地流水与医保平台逐笔核对</source>
        <translation>Pick a day and press F6: the journal is checked against the platform, sale by sale</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="47"/>
        <source>按凭证类型汇总</source>
        <translation>Totals by credential type</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="50"/>
        <source>医保平台对账（3201，按险种）</source>
        <translation>Platform reconciliation (3201, by insurance type)</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="53"/>
        <source>逐笔差异（5203）</source>
        <translation>Per-settlement differences (5203)</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="59"/>
        <source>险种</source>
        <translation>Insurance</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="59"/>
        <source>清算机构</source>
        <translation>Clearing area</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="60"/>
        <source>笔数</source>
        <translation>Count</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="60"/>
        <source>结算笔数</source>
        <translation>Settlements</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="61"/>
        <source>医保电子凭证</source>
        <translation>E-credential</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="61"/>
        <source>身份证</source>
        <translation>ID card</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="61"/>
        <source>社保卡</source>
        <translation>SSC card</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="62"/>
        <source>达标</source>
        <translation>Met</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="62"/>
        <source>结算流水号</source>
        <translation>Settlement ID</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="62"/>
        <source>本地状态</source>
        <translation>Journal status</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="63"/>
        <source>中心状态</source>
        <translation>Platform status</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="63"/>
        <source>差异</source>
        <translation>Difference</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="68"/>
        <source>正在对账…</source>
        <translation>Reconciling…</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="79"/>
        <source>%1 没有结算，无需对账</source>
        <translation>%1: no settlements, nothing to reconcile</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="81"/>
        <source>%1 对账一致：%2 组，0 笔差异</source>
        <translation>%1 reconciled with no differences (insurance-type groups: %2)</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="85"/>
        <source>%1 对账不一致：%2 组汇总与中心不符，%3 笔逐笔差异；请核对后联系医保经办机构</source>
        <translation>%1 does not reconcile: %2 total(s) differ from the platform, %3 settlement difference(s); check them and call the insurance office</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="89"/>
        <source>；%1 笔结算结果待确认：请勿重复结算，请主管按交易日志的说明核实</source>
        <translation>; %1 settlement(s) with an unknown outcome: do not charge again; a supervisor checks them as the journal says</translation>
    </message>
    <message>
        <location filename="../views/qt_day_close_view.py" line="127"/>
        <source>日结单已打印：%1</source>
        <translation>Day close printed: %1</translation>
    </message>
    <message>
        <source>按支付方式：</source>
        <translation>By tender: </translation>
    </message>
    <message>
        <source>无收款</source>
        <translation>nothing taken</translation>
    </message>
</context>
<context>
    <name>QtDiscountDialog</name>
    <message>
        <source>折扣/抹零</source>
        <translation>Discount / rounding</translation>
    </message>
    <message>
        <source>现金部分 ¥%1</source>
        <translation>Cash part ¥%1</translation>
    </message>
    <message>
        <source>折扣仅减少现金部分，上传医保的单价不变</source>
        <translation>A discount lowers only the cash part; the prices sent to the insurance platform stay the same</translation>
    </message>
    <message>
        <source>减免金额如 5，或折数如 9.5折；↑ ↓ 选抹零</source>
        <translation>Yuan off (5) or 折 (9.5折); ↑ ↓ choose the rounding</translation>
    </message>
    <message>
        <source>不抹零</source>
        <translation>No rounding</translation>
    </message>
    <message>
        <source>抹分（角以下）</source>
        <translation>Drop the fen (to 0.10)</translation>
    </message>
    <message>
        <source>抹角分（元以下）</source>
        <translation>Drop jiao and fen (to 1.00)</translation>
    </message>
    <message>
        <source>整单折扣</source>
        <translation>Discount</translation>
    </message>
    <message>
        <source>抹零</source>
        <translation>Rounding</translation>
    </message>
    <message>
        <source>主管工号</source>
        <translation>Supervisor ID</translation>
    </message>
    <message>
        <source>密码</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>实收现金 ¥%1（减免 ¥%2）</source>
        <translation>Cash to collect ¥%1 (¥%2 off)</translation>
    </message>
    <message>
        <source>请主管输入工号和密码</source>
        <translation>Supervisor: enter your ID and PIN</translation>
    </message>
    <message>
        <source>正在核验…</source>
        <translation>Checking…</translation>
    </message>
</context>
<context>
    <name>QtHeldBillsDialog</name>
    <message>
        <source>取单</source>
        <translation>Recall a held bill</translation>
    </message>
    <message>
        <source>选择要取回的挂单：↑ ↓ 选择，Enter 取回，Esc 返回</source>
        <translation>Pick the bill to recall: ↑ ↓ to choose, Enter to recall, Esc to go back</translation>
    </message>
    <message>
        <source>挂单号</source>
        <translation>Held #</translation>
    </message>
    <message>
        <source>挂单时间</source>
        <translation>Held at</translation>
    </message>
    <message>
        <source>参保人</source>
        <translation>Patient</translation>
    </message>
    <message>
        <source>药品</source>
        <translation>Drugs</translation>
    </message>
    <message>
        <source>金额</source>
        <translation>Amount</translation>
    </message>
    <message>
        <source>追溯码</source>
        <translation>Codes</translation>
    </message>
    <message>
        <source>未识别</source>
        <translation>not identified</translation>
    </message>
</context>
<context>
    <name>QtJournalView</name>
    <message>
        <location filename="../views/qt_journal_view.py" line="52"/>
        <source>搜索结算流水号、报文ID、人员编号、就诊ID或状态（回车）</source>
        <translation>Search settlement ID, message ID, person no., visit ID or status (Enter)</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="55"/>
        <source>刷新</source>
        <translation>Reload</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="56"/>
        <location filename="../views/qt_journal_view.py" line="150"/>
        <source>退费</source>
        <translation>Refund</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="57"/>
        <source>重打小票</source>
        <translation>Reprint</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="65"/>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="65"/>
        <source>结算流水号</source>
        <translation>Settlement ID</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="65"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="65"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="65"/>
        <source>合计</source>
        <translation>Total</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="66"/>
        <source>统筹</source>
        <translation>Fund</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="66"/>
        <source>个账</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="66"/>
        <source>现金</source>
        <translation>Cash</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="66"/>
        <source>凭证类型</source>
        <translation>Credential</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="66"/>
        <source>报文ID</source>
        <translation>Message ID</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="139"/>
        <source>请先在列表中选中要退费的结算记录</source>
        <translation>Select the settlement to refund first</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="147"/>
        <source>退还自费收款 #%1，金额 %2 元。请主管输入工号和密码授权。</source>
        <translation>Hand back self-pay sale #%1, amount %2 yuan. Supervisor: enter ID and PIN to approve.</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="148"/>
        <source>退费结算 %1，金额 %2 元。请主管输入工号和密码授权；平台离线时退费将排队，恢复后自动提交。</source>
        <translation>Refund settlement %1, ¥%2. A supervisor authorises with ID and PIN; while the platform is offline the refund is queued and sent when it is back.</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="173"/>
        <source>请先在列表中选中要重打小票的记录</source>
        <translation>Select the sale to reprint in the list first</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="185"/>
        <source>小票已重打</source>
        <translation>Receipt reprinted</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="200"/>
        <source>自费收款</source>
        <translation>self-pay sale</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="201"/>
        <source>退费已完成：%1</source>
        <translation>Refunded: %1</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="202"/>
        <source>退费已排队，平台恢复后自动提交：%1</source>
        <translation>Refund queued, sent when the platform is back: %1</translation>
    </message>
    <message>
        <location filename="../views/qt_journal_view.py" line="205"/>
        <source>；请退还现金 ¥%1</source>
        <translation>; hand back ¥%1 in cash</translation>
    </message>
    <message>
        <source>（现金待收）</source>
        <translation> (cash due at the window)</translation>
    </message>
</context>
<context>
    <name>QtKioskView</name>
    <message>
        <location filename="../views/qt_kiosk_view.py" line="41"/>
        <source>管理</source>
        <translation>Admin</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_view.py" line="102"/>
        <source>无操作超时，返回首页</source>
        <translation>Idle: back to start</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_view.py" line="142"/>
        <source>正在识别医保码…</source>
        <translation>Reading the code…</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_view.py" line="147"/>
        <source>您好，%1</source>
        <translation>Hello, %1</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_view.py" line="148"/>
        <source>亲情账户：%1 代为出示</source>
        <translation>Family account: shown by %1</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_view.py" line="171"/>
        <source>正在挂号并计算费用…</source>
        <translation>Registering and pricing…</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_view.py" line="176"/>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_view.py" line="181"/>
        <source>请核对金额后点击“确认缴费”</source>
        <translation>Check the amounts, then tap &quot;Confirm and pay&quot;</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_view.py" line="190"/>
        <source>正在缴费…</source>
        <translation>Paying…</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_view.py" line="195"/>
        <source>缴费成功</source>
        <translation>Paid</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_view.py" line="196"/>
        <source>请取走小票 · 流水号 %1</source>
        <translation>Please take your receipt · settlement %1</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_view.py" line="199"/>
        <source>完成</source>
        <translation>Done</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_view.py" line="201"/>
        <source>自助缴费成功，流水号 %1</source>
        <translation>Self-service payment done, settlement %1</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_view.py" line="217"/>
        <source>未能完成</source>
        <translation>Could not finish</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_view.py" line="220"/>
        <source>返回首页</source>
        <translation>Back to start</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_view.py" line="226"/>
        <source>管理员</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_view.py" line="226"/>
        <source>请输入管理员密码</source>
        <translation>Enter the administrator PIN</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_view.py" line="243"/>
        <source>管理模式：可查看流水、日结、设置或退出</source>
        <translation>Admin mode: journal, day close, settings or exit</translation>
    </message>
    <message>
        <source>%1 秒后返回首页，触摸屏幕继续</source>
        <translation>Back to the start in %1 s; touch the screen to continue</translation>
    </message>
    <message>
        <source>其中现金 ¥%1 本机不能收取：缴费后请持缴费单到人工窗口缴纳；%2</source>
        <translation>¥%1 of it is cash, which this kiosk cannot take: after paying, take the slip to the staffed window and pay it there. %2</translation>
    </message>
    <message>
        <source>请到人工窗口缴纳现金 ¥%1</source>
        <translation>Please pay ¥%1 in cash at the staffed window</translation>
    </message>
    <message>
        <source>医保部分已结算，现金部分本机不能收取，请持缴费单到人工窗口缴纳 · 流水号 %1</source>
        <translation>The insurance part is paid; this kiosk cannot take the cash part: take the slip to the staffed window · settlement %1</translation>
    </message>
    <message>
        <source>流水号 %1</source>
        <translation>Settlement %1</translation>
    </message>
    <message>
        <source>正在打印小票…</source>
        <translation>Printing your receipt…</translation>
    </message>
    <message>
        <source>自助缴费：医保已结算，现金 %1 元待人工窗口收取，流水号 %2</source>
        <translation>Kiosk: insurance settled, cash %1 yuan to collect at the window, settlement %2</translation>
    </message>
    <message>
        <source>请取走缴费单</source>
        <translation>Please take your payment slip</translation>
    </message>
    <message>
        <source>请取走小票</source>
        <translation>Please take your receipt</translation>
    </message>
    <message>
        <source>自助机小票打印失败（流水号 %1）：%2</source>
        <translation>Kiosk receipt not printed (settlement %1): %2</translation>
    </message>
    <message>
        <source>小票打印失败，请到人工窗口补打小票</source>
        <translation>The receipt could not be printed; please ask at the staffed window for a copy</translation>
    </message>
    <message>
        <source>请到人工窗口自费挂号</source>
        <translation>Please register as self-pay at the staffed window</translation>
    </message>
    <message>
        <source>挂号费 ¥%1（自费）本机不能收取现金，请持自费挂号单到人工窗口缴费挂号</source>
        <translation>Registration fee ¥%1 (self-pay). This kiosk cannot take cash: take the self-pay slip to the staffed window to pay and register</translation>
    </message>
    <message>
        <source>正在打印自费挂号单…</source>
        <translation>Printing your self-pay slip…</translation>
    </message>
    <message>
        <source>自助机：未参保患者选择自费，已指引到人工窗口</source>
        <translation>Kiosk: an uninsured patient chose self-pay and was sent to the window</translation>
    </message>
    <message>
        <source>请取走自费挂号单</source>
        <translation>Please take your self-pay slip</translation>
    </message>
    <message>
        <source>挂号单打印失败，请直接到人工窗口自费挂号</source>
        <translation>The slip could not be printed; please go straight to the staffed window to register as self-pay</translation>
    </message>
    <message>
        <source>管理模式：可查看流水、日结、设置或退出；无操作 %1 秒后自动锁定</source>
        <translation>Admin mode: journal, day close, settings or exit; locks itself after %1 s without a touch</translation>
    </message>
    <message>
        <source>您有一笔待缴费用</source>
        <translation>You have a bill to pay</translation>
    </message>
    <message>
        <source>请将医保码对准下方扫码口完成缴费</source>
        <translation>Hold your medical insurance code to the scanner below to pay</translation>
    </message>
    <message>
        <source>合计 %1</source>
        <translation>Total %1</translation>
    </message>
    <message>
        <source>%1。可重新出示医保码</source>
        <translation>%1. You may show your code again</translation>
    </message>
</context>
<context>
    <name>QtLockPage</name>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="40"/>
        <source>收银台已锁定，请登录</source>
        <translation>The till is locked: sign in</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="51"/>
        <source>工号</source>
        <translation>Operator ID</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="52"/>
        <source>密码</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="60"/>
        <source>登录  [Enter]</source>
        <translation>Sign in  [Enter]</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="75"/>
        <source>请输入工号和密码</source>
        <translation>Enter your ID and PIN</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="78"/>
        <source>正在核验…</source>
        <translation>Checking…</translation>
    </message>
</context>
<context>
    <name>QtMainWindow</name>
    <message>
        <location filename="../qt_main_window.py" line="48"/>
        <source>结算引擎无法启动：%1</source>
        <translation>The counter could not start: %1</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="98"/>
        <source>医保码结算 ecpos · %1</source>
        <translation>ecpos e-credential checkout · %1</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="104"/>
        <source>收银 [Alt+1]</source>
        <translation>Checkout [Alt+1]</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="104"/>
        <source>挂号收费 [Alt+1]</source>
        <translation>Front desk [Alt+1]</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="105"/>
        <source>自助服务</source>
        <translation>Self-service</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="111"/>
        <source>流水与退费 [Alt+2]</source>
        <translation>Journal / refunds [Alt+2]</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="112"/>
        <source>日结对账 [Alt+3]</source>
        <translation>Day close [Alt+3]</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="113"/>
        <source>统计 [Alt+4]</source>
        <translation>Statistics [Alt+4]</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="114"/>
        <source>设置 [Alt+5]</source>
        <translation>Settings [Alt+5]</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="134"/>
        <source>就绪：请出示医保码</source>
        <translation>Ready: show the e-credential code</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="147"/>
        <source>收银员：%1</source>
        <translation>Cashier: %1</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="147"/>
        <source>未登录</source>
        <translation>Nobody signed in</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="148"/>
        <source>交班 [Ctrl+J]</source>
        <translation>Shift [Ctrl+J]</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="164"/>
        <source>已登录；本班尚未开班：按 Ctrl+J 输入备用金开班</source>
        <translation>Signed in; no shift open yet: press Ctrl+J and enter the float</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="166"/>
        <source>已登录，班次 #%1 进行中：请出示医保码</source>
        <translation>Signed in, shift #%1 open: scan the e-credential</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="209"/>
        <source>交班</source>
        <translation>Close shift</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="210"/>
        <source>%1，确认交班？</source>
        <translation>%1: hand over anyway?</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="211"/>
        <source>确认交班</source>
        <translation>Hand over</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="212"/>
        <source>重新清点</source>
        <translation>Count again</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="215"/>
        <source>请重新清点现金后再交班</source>
        <translation>Count the cash again, then hand over</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="235"/>
        <source>已开班 #%1</source>
        <translation>Shift #%1 opened</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="239"/>
        <source>已交班 #%1，现金差额 %2；交班单已打印</source>
        <translation>Shift #%1 closed, cash difference %2; slip printed</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="273"/>
        <source>：请检查扫码器连接，或按 F2 手工输码</source>
        <translation>: check the scanner&apos;s cable, or type the code with F2</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="278"/>
        <source>扫码器已恢复：请出示医保码</source>
        <translation>Scanner back: show the e-credential code</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="296"/>
        <source>请先登录再扫码</source>
        <translation>Sign in before scanning</translation>
    </message>
    <message>
        <location filename="../qt_main_window.py" line="307"/>
        <source>请先完成或取消当前业务，再切换语言</source>
        <translation>Finish or cancel the current sale first, then switch the language</translation>
    </message>
    <message>
        <source>；%1 张挂单未取回，已作废</source>
        <translation>; %1 held bill(s) not recalled expired with the shift</translation>
    </message>
</context>
<context>
    <name>QtPatientCard</name>
    <message>
        <location filename="../widgets/qt_patient_card.py" line="19"/>
        <source>参保人</source>
        <translation>Insured person</translation>
    </message>
    <message>
        <location filename="../widgets/qt_patient_card.py" line="31"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../widgets/qt_patient_card.py" line="32"/>
        <source>证件号</source>
        <translation>ID number</translation>
    </message>
    <message>
        <location filename="../widgets/qt_patient_card.py" line="33"/>
        <source>险种</source>
        <translation>Insurance</translation>
    </message>
    <message>
        <location filename="../widgets/qt_patient_card.py" line="34"/>
        <source>参保地</source>
        <translation>Insured area</translation>
    </message>
    <message>
        <location filename="../widgets/qt_patient_card.py" line="35"/>
        <source>个人账户余额</source>
        <translation>Account balance</translation>
    </message>
    <message>
        <location filename="../widgets/qt_patient_card.py" line="46"/>
        <source>请扫描医保码</source>
        <translation>Scan the code</translation>
    </message>
    <message>
        <location filename="../widgets/qt_patient_card.py" line="64"/>
        <source>亲情账户：家庭成员的医保码，由 %1 代为出示（关系：%2）</source>
        <translation>Family account: a family member&apos;s code shown by %1 (relation: %2)</translation>
    </message>
    <message>
        <location filename="../widgets/qt_patient_card.py" line="73"/>
        <source>结算后余额</source>
        <translation>Balance after this settlement</translation>
    </message>
</context>
<context>
    <name>QtPharmacyView</name>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="0"/>
        <source>结算结果待确认：请勿重复收费，系统将自动查询或冲正</source>
        <translation>Settlement outcome pending: do not charge again; it will be looked up or reversed automatically</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="0"/>
        <source>HIS 推送的账单不能在收银台修改：请在 HIS 中修改后重新推送</source>
        <translation>A bill pushed by the HIS cannot be changed at the till: change it in the HIS and push it again</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="150"/>
        <source>输入药品编码后回车添加；空行回车＝结算</source>
        <translation>Drug code + Enter adds; Enter on an empty line settles</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="107"/>
        <source>数量+</source>
        <translation>Qty +</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="108"/>
        <source>数量-</source>
        <translation>Qty −</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="109"/>
        <source>删除</source>
        <translation>Remove</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="110"/>
        <source>删追溯码</source>
        <translation>Remove trace code</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="122"/>
        <source>预结算</source>
        <translation>Pre-settle</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="123"/>
        <source>确认结算</source>
        <translation>Confirm</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="125"/>
        <source>重打小票</source>
        <translation>Reprint</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="126"/>
        <source>下一位</source>
        <translation>Next customer</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="127"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="128"/>
        <source>手工输码</source>
        <translation>Type a code</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="129"/>
        <source>医保卡/身份证</source>
        <translation>Card / ID no.</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="130"/>
        <source>自费</source>
        <translation>Self-pay</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="237"/>
        <source>正在处理上一笔，请稍候再扫</source>
        <translation>Still working on the last one: scan again in a moment</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="266"/>
        <source>识别成功：%1</source>
        <translation>Identified: %1</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="335"/>
        <source>条码 %1 不在药品目录中，请核对或导入目录</source>
        <translation>Barcode %1 is not in the catalogue: check it or import the catalogue</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="337"/>
        <source>请在当前业务完成后再扫药品条码</source>
        <translation>Finish the current step before scanning drug barcodes</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="340"/>
        <source>已添加 %1</source>
        <translation>Added %1</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="349"/>
        <source>目录中没有 %1，请核对后重新输入，或从搜索列表中选择</source>
        <translation>Nothing matches %1 in the catalogue: check it or pick from the list</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="453"/>
        <source>结果待确认，请勿重复结算</source>
        <translation>Outcome pending: do not settle again</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="477"/>
        <source>已冲正，未扣费：按 F5 重新结算</source>
        <translation>Reversed, nothing charged: F5 settles again</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="478"/>
        <source>上一笔结算已冲正，未扣费：请按 F5 重新结算</source>
        <translation>The last settlement was reversed and nothing was charged: press F5 to settle again</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="480"/>
        <source>重新结算</source>
        <translation>Settle again</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="511"/>
        <source>放弃本单？</source>
        <translation>Drop this sale?</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="512"/>
        <source>本单现金 ¥%1 尚未收款结算。放弃后本单取消，确定吗？</source>
        <translation>The cash part ¥%1 has not been paid and settled. Dropping cancels this sale. Sure?</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="548"/>
        <source>自费：应收 ¥%1，收款后按 Enter</source>
        <translation>Self-pay: ¥%1 due, take the payment and press Enter</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="568"/>
        <location filename="../views/qt_pharmacy_view.py" line="569"/>
        <source>自费收款完成</source>
        <translation>Self-pay done</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="611"/>
        <source>已移出 %1 个追溯码（药品已删除或数量减少）</source>
        <translation>%1 trace code(s) taken off (item removed or quantity lowered)</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="617"/>
        <source>请先添加药品，再逐盒扫药盒上的追溯码</source>
        <translation>Add the drugs first, then scan each box&apos;s trace code</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="632"/>
        <source>本单还没有扫入追溯码</source>
        <translation>No trace code scanned on this bill yet</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="635"/>
        <source>已移除追溯码 %1（第 %2 行 %3）</source>
        <translation>Trace code %1 removed (line %2 %3)</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="640"/>
        <source>追溯码已扫：第 %1 行 %2（%3/%4）</source>
        <translation>Trace code scanned: line %1 %2 (%3/%4)</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="643"/>
        <source>，但追溯码与该药品不符，请核对药盒</source>
        <translation>, but the code does not fit this drug: check the box</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="658"/>
        <source>无需</source>
        <translation>none</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="662"/>
        <source> 还差%1</source>
        <translation> %1 to go</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="664"/>
        <source> 不符%1</source>
        <translation> %1 not fitting</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="667"/>
        <source>追溯码：还需逐盒扫描 %1 盒</source>
        <translation>Trace codes: scan %1 more box(es)</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="668"/>
        <source>追溯码：已扫齐</source>
        <translation>Trace codes: all scanned</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="154"/>
        <source>已识别参保人 %1，请添加药品</source>
        <translation>Identified %1: add the items</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="362"/>
        <source>清单已修改，请重新预结算 [F5]</source>
        <translation>The bill changed: pre-settle again [F5]</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="381"/>
        <source>正在预结算…</source>
        <translation>Pre-settling…</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="387"/>
        <source>收款后按 Enter 或 F12 确认结算</source>
        <translation>Take the payment, then Enter or F12 settles</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="388"/>
        <source>核对金额后按 Enter 或 F12 确认结算</source>
        <translation>Check the amounts, then Enter or F12 to settle</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="389"/>
        <source>预结算完成，现金支付 %1 元</source>
        <translation>Pre-settled: cash to pay ¥%1</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="408"/>
        <source>正在结算，请勿重复操作…</source>
        <translation>Settling, do not repeat…</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="424"/>
        <source>结算成功 · 流水号 %1 · 下一位 [F9]</source>
        <translation>Settled · %1 · next customer [F9]</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="427"/>
        <source>结算成功，流水号 %1</source>
        <translation>Settled, settlement %1</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="428"/>
        <location filename="../views/qt_pharmacy_view.py" line="569"/>
        <source>，找零 ¥%1</source>
        <translation>, change ¥%1</translation>
    </message>
    <message>
        <location filename="../views/qt_pharmacy_view.py" line="504"/>
        <source>小票已打印</source>
        <translation>receipt printed</translation>
    </message>
</context>
<context>
    <name>QtPhonePanel</name>
    <message>
        <location filename="../demo/qt_phone_panel.py" line="19"/>
        <source>无故障</source>
        <translation>No fault</translation>
    </message>
    <message>
        <location filename="../demo/qt_phone_panel.py" line="20"/>
        <source>医保平台中断（拒绝连接）</source>
        <translation>Platform down (connections refused)</translation>
    </message>
    <message>
        <location filename="../demo/qt_phone_panel.py" line="21"/>
        <source>结算应答丢失（下一笔，已入账）</source>
        <translation>Settlement answer lost (next one, booked)</translation>
    </message>
    <message>
        <location filename="../demo/qt_phone_panel.py" line="22"/>
        <source>应答缓慢（每个请求 3 秒）</source>
        <translation>Slow answers (3 s each)</translation>
    </message>
    <message>
        <location filename="../demo/qt_phone_panel.py" line="36"/>
        <source>患者手机（演示）</source>
        <translation>Patient&apos;s phone (demo)</translation>
    </message>
    <message>
        <location filename="../demo/qt_phone_panel.py" line="48"/>
        <source>选择参保人（模拟名单）</source>
        <translation>Pick an insured person (simulator roster)</translation>
    </message>
    <message>
        <location filename="../demo/qt_phone_panel.py" line="61"/>
        <source>刷新医保码</source>
        <translation>Refresh code</translation>
    </message>
    <message>
        <location filename="../demo/qt_phone_panel.py" line="63"/>
        <source>出示给扫码盒</source>
        <translation>Show to the scan box</translation>
    </message>
    <message>
        <location filename="../demo/qt_phone_panel.py" line="69"/>
        <source>模拟故障（医保平台）</source>
        <translation>Simulated fault (platform)</translation>
    </message>
</context>
<context>
    <name>QtPinDialog</name>
    <message>
        <location filename="../widgets/qt_pin_dialog.py" line="30"/>
        <source>患者退药</source>
        <translation>Medicine returned</translation>
    </message>
    <message>
        <location filename="../widgets/qt_pin_dialog.py" line="30"/>
        <source>收费错误</source>
        <translation>Charged in error</translation>
    </message>
    <message>
        <location filename="../widgets/qt_pin_dialog.py" line="31"/>
        <source>重复收费</source>
        <translation>Charged twice</translation>
    </message>
    <message>
        <location filename="../widgets/qt_pin_dialog.py" line="34"/>
        <source>退费原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../widgets/qt_pin_dialog.py" line="41"/>
        <source>主管工号</source>
        <translation>Supervisor ID</translation>
    </message>
    <message>
        <location filename="../widgets/qt_pin_dialog.py" line="41"/>
        <source>管理员工号</source>
        <translation>Admin ID</translation>
    </message>
    <message>
        <location filename="../widgets/qt_pin_dialog.py" line="42"/>
        <source>密码</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location filename="../widgets/qt_pin_dialog.py" line="67"/>
        <source>清除</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../widgets/qt_pin_dialog.py" line="100"/>
        <source>请输入工号和密码</source>
        <translation>Enter ID and PIN</translation>
    </message>
    <message>
        <location filename="../widgets/qt_pin_dialog.py" line="104"/>
        <source>正在核验…</source>
        <translation>Checking…</translation>
    </message>
</context>
<context>
    <name>QtRateChart</name>
    <message>
        <location filename="../widgets/qt_rate_chart.py" line="72"/>
        <source>目标 %1%</source>
        <translation>target %1%</translation>
    </message>
    <message>
        <location filename="../widgets/qt_rate_chart.py" line="75"/>
        <source>所选期间暂无结算</source>
        <translation>No settlements in this period</translation>
    </message>
</context>
<context>
    <name>QtRecordTable</name>
    <message>
        <location filename="../views/qt_record_view.py" line="55"/>
        <source>项目</source>
        <translation>Item</translation>
    </message>
    <message>
        <location filename="../views/qt_record_view.py" line="55"/>
        <source>数值</source>
        <translation>Value</translation>
    </message>
</context>
<context>
    <name>QtScanPanel</name>
    <message>
        <location filename="../widgets/qt_scan_panel.py" line="28"/>
        <source>手工输入医保码后回车 [F2]</source>
        <translation>Type a code + Enter [F2]</translation>
    </message>
    <message>
        <location filename="../widgets/qt_scan_panel.py" line="53"/>
        <source>请出示医保码 · 扫码即识别</source>
        <translation>Show the e-credential code to the scanner</translation>
    </message>
    <message>
        <location filename="../widgets/qt_scan_panel.py" line="53"/>
        <source>正在识别医保码…</source>
        <translation>Reading the code…</translation>
    </message>
    <message>
        <location filename="../widgets/qt_scan_panel.py" line="54"/>
        <source>识别成功</source>
        <translation>Identified</translation>
    </message>
    <message>
        <location filename="../widgets/qt_scan_panel.py" line="54"/>
        <source>识别失败</source>
        <translation>Not identified</translation>
    </message>
</context>
<context>
    <name>QtSettingsView</name>
    <message>
        <location filename="../views/qt_settings_view.py" line="22"/>
        <source>设备</source>
        <translation>Devices</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="27"/>
        <source>串口扫码盒</source>
        <translation>Serial scan box</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="27"/>
        <source>键盘口扫码枪</source>
        <translation>Keyboard-wedge scanner</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="27"/>
        <source>摄像头</source>
        <translation>Camera</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="28"/>
        <source>无</source>
        <translation>None</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="30"/>
        <source>扫码方式</source>
        <translation>Scanner</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="31"/>
        <source>扫码器状态</source>
        <translation>Scanner state</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="32"/>
        <source>小票打印机</source>
        <translation>Receipt printer</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="33"/>
        <source>打印测试页</source>
        <translation>Print a test page</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="36"/>
        <source>提示音</source>
        <translation>Sound cues</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="36"/>
        <source>开</source>
        <translation>On</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="36"/>
        <source>关</source>
        <translation>Off</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="38"/>
        <source>医保平台</source>
        <translation>Insurance platform</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="40"/>
        <source>检测中</source>
        <translation>Checking</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="42"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="43"/>
        <source>连接状态</source>
        <translation>Connection</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="44"/>
        <source>签到</source>
        <translation>Sign-in</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="45"/>
        <source>凭证解码</source>
        <translation>Credential decoder</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="46"/>
        <source>定点机构</source>
        <translation>Institution</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="48"/>
        <source>终端</source>
        <translation>Terminal</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="51"/>
        <source>药店收银</source>
        <translation>Pharmacy checkout</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="51"/>
        <source>门诊挂号收费</source>
        <translation>Clinic front desk</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="51"/>
        <source>自助机</source>
        <translation>Self-service kiosk</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="52"/>
        <source>业务模式</source>
        <translation>Profile</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="53"/>
        <source>操作员</source>
        <translation>Operator</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="54"/>
        <source>数据目录</source>
        <translation>Data directory</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="61"/>
        <source>语言 Language</source>
        <translation>Language 语言</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="65"/>
        <source>锁定，返回自助服务</source>
        <translation>Lock, back to self-service</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="67"/>
        <source>退出程序</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="103"/>
        <source>在线</source>
        <translation>Online</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="103"/>
        <source>离线：业务将排队，恢复后自动提交</source>
        <translation>Offline: work is queued and sent when it is back</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="97"/>
        <source>已签到</source>
        <translation>Signed in</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="97"/>
        <source>未签到</source>
        <translation>Not signed in</translation>
    </message>
    <message>
        <location filename="../views/qt_settings_view.py" line="114"/>
        <source>测试页已打印：%1</source>
        <translation>Test page printed: %1</translation>
    </message>
</context>
<context>
    <name>QtShiftDialog</name>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="245"/>
        <source>交班</source>
        <translation>Close shift</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="245"/>
        <source>开班</source>
        <translation>Open shift</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="260"/>
        <source>应有现金</source>
        <translation>Expected cash</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="264"/>
        <source>清点现金</source>
        <translation>Cash counted</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="264"/>
        <source>备用金</source>
        <translation>Float</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="278"/>
        <source>正在处理…</source>
        <translation>Working…</translation>
    </message>
</context>
<context>
    <name>QtSplitPanel</name>
    <message>
        <location filename="../widgets/qt_split_panel.py" line="20"/>
        <source>费用合计</source>
        <translation>Total</translation>
    </message>
    <message>
        <location filename="../widgets/qt_split_panel.py" line="20"/>
        <source>统筹基金支付</source>
        <translation>Paid by the fund</translation>
    </message>
    <message>
        <location filename="../widgets/qt_split_panel.py" line="20"/>
        <source>个人账户支付</source>
        <translation>Paid from the account</translation>
    </message>
    <message>
        <location filename="../widgets/qt_split_panel.py" line="21"/>
        <source>现金支付</source>
        <translation>Cash to pay</translation>
    </message>
</context>
<context>
    <name>QtSplitTenderPanel</name>
    <message>
        <source>本次金额</source>
        <translation>This part</translation>
    </message>
    <message>
        <source>金额</source>
        <translation>Amount</translation>
    </message>
    <message>
        <source>折扣</source>
        <translation>Discount</translation>
    </message>
    <message>
        <source>本次金额应大于 0 且不超过还需支付的 ¥%1</source>
        <translation>This part must be more than 0 and at most the ¥%1 still due</translation>
    </message>
    <message>
        <source>已收%1，还需 ¥%2：收现金，或按 ↑ ↓ 换支付方式</source>
        <translation>Taken %1; ¥%2 still due: take cash, or ↑ ↓ for another method</translation>
    </message>
    <message>
        <source>实收金额</source>
        <translation>cash received</translation>
    </message>
</context>
<context>
    <name>QtStatsView</name>
    <message>
        <location filename="../views/qt_stats_view.py" line="45"/>
        <source>从</source>
        <translation>From</translation>
    </message>
    <message>
        <location filename="../views/qt_stats_view.py" line="47"/>
        <source>到</source>
        <translation>to</translation>
    </message>
    <message>
        <location filename="../views/qt_stats_view.py" line="49"/>
        <source>统计</source>
        <translation>Show</translation>
    </message>
    <message>
        <location filename="../views/qt_stats_view.py" line="76"/>
        <source>医保电子凭证结算率（按日）</source>
        <translation>E-credential settlement rate (per day)</translation>
    </message>
    <message>
        <location filename="../views/qt_stats_view.py" line="80"/>
        <source>达标</source>
        <translation>Met</translation>
    </message>
    <message>
        <location filename="../views/qt_stats_view.py" line="80"/>
        <source>未达标</source>
        <translation>below target</translation>
    </message>
    <message>
        <location filename="../views/qt_stats_view.py" line="81"/>
        <source>%1 至 %2：结算 %3 笔，医保电子凭证 %4 笔，结算率 %5%，目标 %6% · %7</source>
        <translation>%1 to %2: %3 settled, %4 by e-credential, rate %5%, target %6% · %7</translation>
    </message>
    <message>
        <location filename="../views/qt_stats_view.py" line="88"/>
        <source> · 追溯码采集率 %1%（%2/%3 盒）</source>
        <translation> · trace-code rate %1% (%2/%3 boxes)</translation>
    </message>
</context>
<context>
    <name>QtStatusBar</name>
    <message>
        <location filename="../widgets/qt_status_bar.py" line="31"/>
        <location filename="../widgets/qt_status_bar.py" line="41"/>
        <source>立即同步</source>
        <translation>Sync now</translation>
    </message>
    <message>
        <location filename="../widgets/qt_status_bar.py" line="50"/>
        <source>医保平台：检测中</source>
        <translation>Platform: checking</translation>
    </message>
    <message>
        <location filename="../widgets/qt_status_bar.py" line="46"/>
        <source>待退费 0 · 待确认 0</source>
        <translation>Refunds queued 0 · unknown 0</translation>
    </message>
    <message>
        <location filename="../widgets/qt_status_bar.py" line="57"/>
        <source>最后检测 %1（%2）</source>
        <translation>Last checked %1 (%2)</translation>
    </message>
    <message>
        <location filename="../widgets/qt_status_bar.py" line="61"/>
        <source>医保平台：在线</source>
        <translation>Platform: online</translation>
    </message>
    <message>
        <location filename="../widgets/qt_status_bar.py" line="61"/>
        <source>医保平台：离线</source>
        <translation>Platform: offline</translation>
    </message>
    <message>
        <location filename="../widgets/qt_status_bar.py" line="83"/>
        <source>待退费 %1 · 待确认 %2</source>
        <translation>Refunds queued %1 · unknown %2</translation>
    </message>
</context>
<context>
    <name>QtTenderPanel</name>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="119"/>
        <source>现金</source>
        <translation>Cash</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="119"/>
        <source>微信</source>
        <translation>WeChat</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="119"/>
        <source>支付宝</source>
        <translation>Alipay</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="119"/>
        <source>银行卡</source>
        <translation>Bank card</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="120"/>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="125"/>
        <source>实收现金</source>
        <translation>Cash received</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="131"/>
        <source>凭证号（交易单号）</source>
        <translation>Reference (transaction no.)</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="136"/>
        <source>找零</source>
        <translation>Change</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="174"/>
        <source>还差 ¥%1</source>
        <translation>¥%1 short</translation>
    </message>
    <message>
        <location filename="../widgets/qt_till_widgets.py" line="180"/>
        <source>实收金额</source>
        <translation>Amount received</translation>
    </message>
</context>
<context>
    <name>ResultPage</name>
    <message>
        <location filename="../views/qt_kiosk_pages.py" line="108"/>
        <source>完成</source>
        <translation>Done</translation>
    </message>
</context>
<context>
    <name>Session</name>
    <message>
        <location filename="../qt_session.py" line="36"/>
        <source>内部错误：%1。请重试；如反复出现请联系维护人员</source>
        <translation>Internal error: %1. Try again; if it keeps happening call support</translation>
    </message>
    <message>
        <location filename="../qt_session.py" line="42"/>
        <source>扫码器：未配置</source>
        <translation>Scanner: none</translation>
    </message>
    <message>
        <location filename="../qt_session.py" line="45"/>
        <source>扫码器：已连接</source>
        <translation>Scanner: connected</translation>
    </message>
    <message>
        <location filename="../qt_session.py" line="45"/>
        <source>扫码器：重连中</source>
        <translation>Scanner: reconnecting</translation>
    </message>
    <message>
        <location filename="../qt_session.py" line="46"/>
        <source>扫码器：故障</source>
        <translation>Scanner: fault</translation>
    </message>
    <message>
        <location filename="../qt_session.py" line="46"/>
        <source>扫码器：已停止</source>
        <translation>Scanner: stopped</translation>
    </message>
    <message>
        <location filename="../qt_session.py" line="108"/>
        <source>结算引擎未就绪，请稍候再试</source>
        <translation>The counter is still starting: try again in a moment</translation>
    </message>
    <message>
        <location filename="../qt_session.py" line="165"/>
        <source>状态查询失败：%1</source>
        <translation>Status check failed: %1</translation>
    </message>
</context>
<context>
    <name>Values</name>
    <message>
        <location filename="../qt_values.py" line="13"/>
        <source>是</source>
        <translation>Yes</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="13"/>
        <source>否</source>
        <translation>No</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="13"/>
        <source>合计</source>
        <translation>Total</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="14"/>
        <source>对账一致</source>
        <translation>Reconciled, no differences</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="14"/>
        <location filename="../qt_values.py" line="42"/>
        <source>一致</source>
        <translation>Matched</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="15"/>
        <location filename="../qt_values.py" line="42"/>
        <source>不一致</source>
        <translation>Mismatch</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="17"/>
        <source>配偶</source>
        <translation>spouse</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="17"/>
        <source>子女</source>
        <translation>child</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="17"/>
        <source>父母</source>
        <translation>parent</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="18"/>
        <source>本人</source>
        <translation>self</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="18"/>
        <source>其他</source>
        <translation>other</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="23"/>
        <source>职工基本医疗保险</source>
        <translation>Employee basic medical insurance</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="24"/>
        <source>公务员医疗补助</source>
        <translation>Civil servant medical subsidy</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="25"/>
        <source>大额医疗费用补助</source>
        <translation>Large medical expense subsidy</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="26"/>
        <source>离休人员医疗保障</source>
        <translation>Retired cadre medical security</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="27"/>
        <source>城乡居民基本医疗保险</source>
        <translation>Urban and rural resident basic medical insurance</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="28"/>
        <source>城乡居民大病医疗保险</source>
        <translation>Urban and rural resident critical illness insurance</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="29"/>
        <source>生育保险</source>
        <translation>Maternity insurance</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="34"/>
        <source>处理中</source>
        <translation>Pending</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="34"/>
        <source>结果待确认</source>
        <translation>Outcome unknown</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="35"/>
        <source>已结算</source>
        <translation>Settled</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="35"/>
        <source>已冲正</source>
        <translation>Reversed</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="36"/>
        <source>退费排队中</source>
        <translation>Refund queued</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="36"/>
        <source>已退费</source>
        <translation>Refunded</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="37"/>
        <source>失败</source>
        <translation>Failed</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="37"/>
        <source>排队中</source>
        <translation>Queued</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="38"/>
        <source>已取消</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="38"/>
        <source>自费</source>
        <translation>Self-pay</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="45"/>
        <source>医保电子凭证</source>
        <translation>E-credential</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="45"/>
        <source>居民身份证</source>
        <translation>ID card</translation>
    </message>
    <message>
        <location filename="../qt_values.py" line="46"/>
        <source>社会保障卡</source>
        <translation>SSC card</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <location filename="../views/qt_kiosk_pages.py" line="39"/>
        <source>医保码自助挂号缴费</source>
        <translation>E-credential self-service registration and payment</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_pages.py" line="40"/>
        <source>请打开国家医保服务平台APP、微信或支付宝中的医保电子凭证，将二维码对准下方扫码口</source>
        <translation>Open the e-credential in the national app, WeChat or Alipay and hold the QR code to the scanner below</translation>
    </message>
    <message>
        <location filename="../views/qt_kiosk_pages.py" line="45"/>
        <source>先激活后缴费 · 先医保电子凭证后医保卡</source>
        <translation>Activate first, then pay · e-credential before the card</translation>
    </message>
</context>
<context>
    <name>QtReturnDialog</name>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>退货</source>
        <translation>Return</translation>
    </message>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>：用 ↑↓ 选行，+ / - 设置退回盒数</source>
        <translation>: pick a line with Up/Down, set the boxes coming back with + / -</translation>
    </message>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>药品</source>
        <translation>Item</translation>
    </message>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>数量</source>
        <translation>Qty</translation>
    </message>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>单价</source>
        <translation>Price</translation>
    </message>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>退回</source>
        <translation>Back</translation>
    </message>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>患者退药</source>
        <translation>Patient returns the drug</translation>
    </message>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>药品破损</source>
        <translation>Damaged box</translation>
    </message>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>收费错误</source>
        <translation>Charged in error</translation>
    </message>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>退货原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>主管工号</source>
        <translation>Supervisor ID</translation>
    </message>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>密码</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>患者医保码（扫码枪或输入后回车）</source>
        <translation>The patient's code (scan, or type it and press Enter)</translation>
    </message>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>医保码</source>
        <translation>Code</translation>
    </message>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>全部 %1</source>
        <translation>all %1</translation>
    </message>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>请选择退回的药品和盒数（+ / -）</source>
        <translation>Pick the items and boxes that come back (+ / -)</translation>
    </message>
</context>
<context>
    <name>QtJournalView</name>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>退货</source>
        <translation>Return</translation>
    </message>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>请先在列表中选中要退货的结算记录</source>
        <translation>Select the sale to return items from first</translation>
    </message>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>这笔结算没有可退的药品</source>
        <translation>Nothing of this sale can come back</translation>
    </message>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>退货：%1</source>
        <translation>Return: %1</translation>
    </message>
    <message>
        <location filename="../widgets/qt_return_dialog.py" line="1"/>
        <source>退货单未能打印，退货已完成不受影响：%1</source>
        <translation>The return slip was not printed; the return is done all the same: %1</translation>
    </message>
</context>
</TS>
